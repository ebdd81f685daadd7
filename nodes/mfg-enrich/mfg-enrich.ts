// Adds ERP references to canonical events through an mfg-endpoint (glue over lib/enrich).
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { isCloudEvent } from '../../lib/events';
import { Enricher, ErpLookups, UnknownReferenceError } from '../../lib/enrich';
import type { EndpointNode } from '../mfg-endpoint/endpoint-config';
import { Msg, onInput, StatusThrottle } from '../shared/red';

interface EnrichDef extends NodeDef {
  endpoint: string;
  item: boolean;
  order: boolean;
  routing: boolean;
  ttlSec: string | number;
  maxStaleSec: string | number;
  unknown: 'error' | 'warn';
}

const num = (v: unknown, d: number) => (v === '' || v === undefined || v === null || !Number.isFinite(Number(v)) ? d : Number(v));

export = (RED: NodeAPI) => {
  function MfgEnrich(this: Node, config: EnrichDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const endpoint = RED.nodes.getNode(config.endpoint) as EndpointNode | null;
    // the endpoint's connector is looked up per call: it is rebuilt when the endpoint is redeployed
    const erp: ErpLookups = {
      getItem: (m) => client().getItem(m),
      getProductionOrder: (o) => client().getProductionOrder(o),
      getRouting: (o) => client().getRouting(o),
      supports: (op) => client().supports(op),
    };
    function client() {
      if (!endpoint) throw new Error('mfg-enrich: no mfg-endpoint configured');
      if (!endpoint.client) throw new Error(`mfg-enrich: endpoint "${endpoint.name || endpoint.id}" is not usable: ${endpoint.configError || 'no client'}`);
      return endpoint.client;
    }
    const enricher = new Enricher(erp, {
      ttlMs: num(config.ttlSec, 300) * 1000,
      maxStaleMs: num(config.maxStaleSec, 86400) * 1000,
      item: config.item !== false, order: config.order !== false, routing: config.routing !== false,
      unknown: config.unknown === 'warn' ? 'warn' : 'error',
    });
    if (!endpoint) node.status({ fill: 'red', shape: 'ring', text: 'no endpoint' });

    function show(): void {
      status.set(() => {
        const s = enricher.stats;
        const bad = s.unknown + s.unavailable;
        const text = `${s.enriched} enriched${s.stale ? `, ${s.stale} stale` : ''}${s.partial ? `, ${s.partial} partial` : ''}${bad ? `, ${bad} failed` : ''}`;
        return { fill: s.unavailable ? 'red' : s.stale || bad ? 'yellow' : 'green', shape: 'dot', text };
      });
    }

    onInput(node, async (msg, send) => {
      if (!isCloudEvent(msg.payload)) throw new Error('mfg-enrich: msg.payload must be a canonical event (CloudEvent)');
      try {
        const r = await enricher.enrich(msg.payload);
        msg.payload = r.event;
        if (r.warnings.length) {
          (msg as Msg).enrichWarnings = r.warnings;
          node.warn(`mfg-enrich: ${r.warnings.join('; ')}`);
        }
        send([msg, null]);
      } catch (err) {
        if (!endpoint || !endpoint.client) throw err;
        const e = err as Error;
        (msg as Msg).enrichError = { kind: err instanceof UnknownReferenceError ? 'unknown-reference' : 'unavailable', message: e.message };
        send([null, msg]);
      } finally {
        show();
      }
    });
    node.on('close', () => status.stop());
  }
  RED.nodes.registerType('mfg-enrich', MfgEnrich);
};
