// Config node ids must not equal any property value of a config node (role: 'erp'):
// Node-RED would take the value for a reference.
// The scale-out flow: instances split one stream through an MQTT 5 shared subscription
// and guard it with idempotency keys in one Redis, then post to the ERP simulator.
'use strict';

function scaleOutFlow({ mqttUrl, redisUrl, erpUrl, instance }) {
  return {
    flows: [
      { id: 'tab', type: 'tab', label: 'scale-out' },
      { id: 'broker', type: 'mfg-broker', url: mqttUrl, protocol: '5', clientId: `scale-${instance}`, keepalive: 30, cleanSession: true, verifyTls: true },
      { id: 'shared', type: 'mfg-store', kind: 'redis', retentionHours: 24, leaseSeconds: 60 },
      { id: 'local', type: 'mfg-store', kind: 'sqlite', path: '' },
      { id: 'erpEndpoint', type: 'mfg-endpoint', role: 'erp', profile: 'rest', baseUrl: erpUrl, authType: 'apikey', apiKeyHeader: 'X-API-Key', timeoutMs: 5000, maxConcurrency: 8, retryMax: 20, retryBaseMs: 100, retryMaxMs: 2000, breakerThreshold: 50, breakerOpenMs: 1000 },
      { id: 'sub', type: 'mfg-subscribe', z: 'tab', x: 100, y: 100, broker: 'broker', mode: 'topic', topic: 'scale/in', group: 'erp-posting', qos: 1, wires: [['val'], []] },
      { id: 'val', type: 'mfg-validate', z: 'tab', x: 200, y: 100, schemaFrom: 'catalog', maxBytes: 262144, wires: [['idem'], []] },
      { id: 'idem', type: 'mfg-idempotency', z: 'tab', x: 300, y: 100, store: 'shared', keyType: 'eventid', key: '', scope: 'erp-confirmations', mode: 'eager', wires: [['post'], ['dup']] },
      { id: 'post', type: 'mfg-erp', z: 'tab', x: 400, y: 100, endpoint: 'erpEndpoint', operation: 'confirmProduction', store: 'local', limit: 100000, wires: [['done'], ['why']] },
      { id: 'why', type: 'function', z: 'tab', x: 450, y: 200, func: 'msg.payload = { id: msg.payload && msg.payload.id, error: msg.error };\nreturn msg;', outputs: 1, wires: [['failed']] },
      { id: 'done', type: 'mqtt out', z: 'tab', x: 500, y: 100, topic: `scale/done/${instance}`, qos: '1', retain: 'false', broker: 'plainBroker', wires: [] },
      { id: 'dup', type: 'mqtt out', z: 'tab', x: 500, y: 150, topic: `scale/dup/${instance}`, qos: '1', retain: 'false', broker: 'plainBroker', wires: [] },
      { id: 'failed', type: 'mqtt out', z: 'tab', x: 500, y: 200, topic: `scale/failed/${instance}`, qos: '1', retain: 'false', broker: 'plainBroker', wires: [] },
      { id: 'plainBroker', type: 'mqtt-broker', broker: new URL(mqttUrl).hostname, port: new URL(mqttUrl).port, clientid: `scale-report-${instance}`, autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    ],
    credentials: { shared: { url: redisUrl }, erpEndpoint: { apiKey: 'scale-key' } },
  };
}

module.exports = { scaleOutFlow };
