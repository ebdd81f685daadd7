// ERP, WMS and QMS connectors: HTTP core, profiles (rest, sap-odata, odoo, d365), the
// operation catalog and exactly-once posting.
//
// For other nodes (e.g. enrichment): an mfg-endpoint config node exposes its Connector as
// `endpointNode.client` (see nodes/mfg-endpoint); outside Node-RED build one with
// `createConnector(config)`. Lookups resolve with normalised data, the same for every profile:
//   await client.getItem('FG226')              -> {material, description, baseUnit, type, batchManaged}
//   await client.getProductionOrder('1000123') -> {orderId, material, plant, quantity, status, released, operations, components}
//   await client.getRouting('1000123')         -> {orderId, operations: [{operationId, workCenter, costCenter, description}]}
//   await client.checkAvailability('RM100', '1710', 'RB001') -> {totals: {unrestricted, quality, blocked}, rows}
// Failures reject with a ConnectorError (kind: validation | auth | not-found | conflict |
// transport | throttled | unavailable; retryable; status). client.supports('getRouting')
// tells whether the endpoint's profile offers an operation.
import { Connector, ConnectorOptions } from './connector';
import type { EndpointConfig } from './types';

export * from './types';
export * from './errors';
export { Connector, asConnectorError } from './connector';
export type { ConnectorOptions, PostContext } from './connector';
export { HttpClient } from './http';
export { operations, prepareInput } from './operations';
export type { OperationDef } from './operations';
export { postingKey, uuidFromKey, shortRef } from './keys';
export { REST_PATHS } from './profiles/rest';
export type { Availability, ItemInfo, OrderInfo, RoutingOp, StockRow } from './profiles/profile';

export function createConnector(cfg: EndpointConfig, opts?: ConnectorOptions): Connector {
  return new Connector(cfg, opts);
}

/** Operations per profile and role (for the editor: it offers only these). */
export function supportedOperations(): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const profile of ['rest', 'sap-odata', 'odoo', 'd365'] as const) {
    out[profile] = {};
    for (const role of ['erp', 'wms', 'qms'] as const) {
      const c = new Connector({ name: 'probe', role, profile, baseUrl: 'http://127.0.0.1', auth: { type: 'none' }, odooDb: 'probe' });
      out[profile][role] = c.operations().map((o) => o.name);
      c.close();
    }
  }
  return out;
}
