// The flow under the fault storm: the production confirmation, finished goods and quality
// hold workflows of the demo plant, fed from the backbone. Every bad msg ends in mfg-dlq.
'use strict';

function stormFlow({ mqttUrl, erpUrl, wmsUrl }) {
  const n = (id, type, props, wires = []) => ({ id, type, z: 'tab', x: 100, y: 100, ...props, wires });
  // each guard has its own scope, so after a SIGKILL it takes over its dead run's reservations
  const guard = (id, next) => n(id, 'mfg-idempotency', { store: 'cfgStore', keyType: 'eventid', key: '', scope: '', mode: 'eager' }, [[next], []]);
  const ep = { apiKeyHeader: 'X-API-Key', tlsVerify: true, timeoutMs: 3000, rateLimit: 0, maxConcurrency: 4, retryMax: 1000, retryBaseMs: 200, retryMaxMs: 2000, breakerThreshold: 5, breakerOpenMs: 1500 };
  return {
    flows: [
      { id: 'tab', type: 'tab', label: 'fault storm' },
      { id: 'cfgBroker', type: 'mfg-broker', url: mqttUrl, protocol: '5', clientId: 'storm-plant', keepalive: 10, cleanSession: false, sessionExpiry: 3600, verifyTls: true },
      { id: 'cfgStore', type: 'mfg-store', kind: 'sqlite', path: '', retentionHours: 24, leaseSeconds: 30, deadLetterDays: 7 },
      { id: 'cfgErp', type: 'mfg-endpoint', role: 'erp', profile: 'sap-odata', baseUrl: erpUrl, authType: 'basic', sapClient: '100', defaults: '{"plant":"1710","storageLocation":"171A"}', ...ep },
      { id: 'cfgWms', type: 'mfg-endpoint', role: 'wms', profile: 'rest', baseUrl: wmsUrl, authType: 'apikey', ...ep },
      n('sub', 'mfg-subscribe', { broker: 'cfgBroker', mode: 'topic', topic: 'storm/in', group: '', qos: 1 }, [['val'], ['dlq']]),
      n('val', 'mfg-validate', { schemaFrom: 'catalog', maxBytes: 262144 }, [['route'], ['dlq']]),
      n('route', 'switch', { property: 'payload.type', propertyType: 'msg', rules: [
        { t: 'eq', v: 'mfg.production.operation.completed.v1', vt: 'str' },
        { t: 'eq', v: 'mfg.material.finished-goods.received.v1', vt: 'str' },
        { t: 'eq', v: 'mfg.quality.hold.placed.v1', vt: 'str' },
      ], checkall: 'false', repair: false, outputs: 3 }, [['gConfirm'], ['gPutaway'], ['gHoldErp', 'gHoldWms']]),
      guard('gConfirm', 'confirm'),
      guard('gPutaway', 'putaway'),
      guard('gHoldErp', 'holdErp'),
      guard('gHoldWms', 'holdWms'),
      n('confirm', 'mfg-erp', { endpoint: 'cfgErp', operation: 'confirmProduction', store: 'cfgStore', limit: 100000 }, [[], ['dlq']]),
      n('putaway', 'mfg-wms', { endpoint: 'cfgWms', operation: 'createPutawayTask', store: 'cfgStore', limit: 100000 }, [[], ['dlq']]),
      n('holdErp', 'mfg-erp', { endpoint: 'cfgErp', operation: 'placeQualityHold', store: 'cfgStore', limit: 100000 }, [[], ['dlq']]),
      n('holdWms', 'mfg-wms', { endpoint: 'cfgWms', operation: 'blockShipment', store: 'cfgStore', limit: 100000 }, [[], ['dlq']]),
      // errors not already routed to a failure output (guards, routing) go to the dead letters too
      n('catch', 'catch', { scope: ['route', 'gConfirm', 'gPutaway', 'gHoldErp', 'gHoldWms'], uncaught: false }, [['dlq']]),
      n('dlq', 'mfg-dlq', { store: 'cfgStore', retentionDays: 7 }, [[]]),
    ],
    credentials: { cfgErp: { username: 'MFG_SAP', password: 'Welcome1' }, cfgWms: { apiKey: 'storm-key' } },
  };
}

module.exports = { stormFlow };
