// Config node: one external system (ERP, WMS or QMS) and how to reach it. Builds the
// endpoint's Connector once; every connector node and lookup shares it (and with it the
// rate limit, concurrency cap and Retry-After pause of that endpoint).
import type { NodeAPI } from 'node-red';
import { ConnectorError, createConnector, operations, supportedOperations } from '../../lib/connectors';
import { adminRoute, PERMISSION_READ, PERMISSION_WRITE } from '../shared/red';
import { EndpointDef, EndpointNode, endpointConfig, num } from './endpoint-config';

export = (RED: NodeAPI) => {
  adminRoute(RED, 'connector-operations', () => {
    const body = {
      supported: supportedOperations(),
      operations: operations.all().map((o) => ({ name: o.name, role: o.role, kind: o.kind, label: o.label, events: o.events, required: o.required })),
    };
    RED.httpAdmin.get('/mfg-connect/connector-operations', RED.auth.needsPermission(PERMISSION_READ), (_req, res) => {
      res.json(body);
    });
    // sends requests to the external system: write permission
    RED.httpAdmin.post('/mfg-connect/endpoints/:id/check', RED.auth.needsPermission(PERMISSION_WRITE), (req, res) => {
      const ep = RED.nodes.getNode(String(req.params.id)) as EndpointNode | null;
      if (!ep || ep.type !== 'mfg-endpoint') {
        res.status(404).json({ ok: false, message: 'endpoint not deployed: deploy it first' });
        return;
      }
      if (!ep.client) {
        res.status(400).json({ ok: false, message: ep.configError || 'endpoint not usable' });
        return;
      }
      ep.client.check().then(
        (r) => res.json({ ok: true, ...r }),
        (err: ConnectorError) => res.json({ ok: false, kind: err.kind, status: err.status, message: err.message }),
      );
    });
  });

  function MfgEndpoint(this: EndpointNode, config: EndpointDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.policy = {
      maxAttempts: num(config.retryMax, 20), initialMs: num(config.retryBaseMs, 500), maxMs: num(config.retryMaxMs, 60000),
      breakerThreshold: num(config.breakerThreshold, 5), breakerOpenMs: num(config.breakerOpenMs, 15000),
    };
    try {
      node.config = endpointConfig(RED, node, config, node.credentials || {});
      // posting records keyed by the node id: renaming the endpoint keeps them
      node.client = createConnector(node.config, { scope: `connector:${node.id}` });
    } catch (err) {
      // a bad endpoint must not stop the runtime: the connector nodes report it per msg
      node.configError = `mfg-endpoint "${config.name || config.id}": ${(err as Error).message}`;
      node.error(node.configError);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      node.client?.close();
      done();
    });
  }

  RED.nodes.registerType('mfg-endpoint', MfgEndpoint, {
    credentials: {
      username: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' }, apiKey: { type: 'password' },
      clientId: { type: 'text' }, clientSecret: { type: 'password' }, tlsKey: { type: 'password' }, tlsPassphrase: { type: 'password' },
    },
  } as never);
};
