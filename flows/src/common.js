// Shared pieces of the workflow example flows and the demo plant: the config nodes every
// workflow uses (same ids, so the demo merges them into one set) and small node makers.
// Plant identity, broker and endpoint URLs come from environment variables only.
'use strict';

const X0 = 230;
const DX = 280;
const Y0 = 100;
const DY = 60;
/** editor position of grid cell (col, row) */
const at = (col, row) => ({ x: X0 + col * DX, y: Y0 + row * DY });

const CONFIG = [
  {
    id: 'mfg-cfg-plant', type: 'mfg-plant', name: 'this plant',
    enterprise: '${MFG_ENTERPRISE:-acme}', site: '${MFG_SITE:-BER1}', area: '${MFG_AREA:-assembly}', line: '${MFG_LINE:-line1}',
    system: 'mes', timeZone: 'Europe/Berlin',
  },
  {
    id: 'mfg-cfg-broker', type: 'mfg-broker', name: 'plant backbone', url: '${MFG_MQTT_URL}', clientId: '', protocol: 'auto',
    keepalive: 30, cleanSession: true, sessionExpiry: 604800, verifyTls: true, ca: '', cert: '',
  },
  {
    id: 'mfg-cfg-store', type: 'mfg-store', name: 'plant state', kind: 'sqlite', path: '', maxEntries: 100000,
    retentionHours: 168, leaseSeconds: 300, deadLetterDays: 30,
  },
  endpoint('mfg-cfg-erp', 'ERP (SAP S/4HANA)', 'erp', 'sap-odata', '${MFG_ERP_URL}', 'basic', { sapClient: '100', defaults: '{"plant":"1710","storageLocation":"171A"}' }),
  endpoint('mfg-cfg-wms', 'WMS', 'wms', 'rest', '${MFG_WMS_URL}', 'none', {}),
  endpoint('mfg-cfg-qms', 'QMS', 'qms', 'rest', '${MFG_QMS_URL}', 'none', {}),
];

function endpoint(id, name, role, profile, baseUrl, authType, extra) {
  return {
    id, type: 'mfg-endpoint', name, role, profile, baseUrl, authType, apiKeyHeader: 'X-API-Key', tokenUrl: '', scope: '',
    tlsVerify: true, ca: '', cert: '', timeoutMs: 10000, rateLimit: 0, maxConcurrency: 4,
    // short backoff and breaker: a plant wants its postings through soon after the WAN returns
    retryMax: 50, retryBaseMs: 300, retryMaxMs: 3000, breakerThreshold: 5, breakerOpenMs: 3000,
    sapClient: '', odooDb: '', company: '', defaults: '', locations: '', paths: '', ...extra,
  };
}

/** Credentials of the config nodes for the simulators (demo and tests only; never exported). */
const SIM_CREDENTIALS = { 'mfg-cfg-erp': { username: 'MFG_SAP', password: 'Welcome1' } };

function tab(id, label, info) {
  return { id, type: 'tab', label, disabled: false, info };
}

function comment(z, id, name, info, col = 1, row = -1) {
  return { id, type: 'comment', z, name, info, ...at(col, row), wires: [] };
}

function inject(z, id, name, payload, wires, pos, extra = {}) {
  return {
    id, type: 'inject', z, name, props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.5, topic: '',
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload), payloadType: typeof payload === 'string' ? 'str' : 'json',
    ...pos, wires: [wires], ...extra,
  };
}

function fn(z, id, name, func, wires, pos, outputs = 1) {
  return { id, type: 'function', z, name, func, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...pos, wires };
}

function debug(z, id, name, complete, pos, statusVal) {
  return {
    id, type: 'debug', z, name, active: true, tosidebar: true, console: false, tostatus: !!statusVal, complete: complete || 'payload',
    targetType: 'msg', statusVal: statusVal || '', statusType: 'msg', ...pos, wires: [],
  };
}

function event(z, id, name, eventType, mappings, wires, pos) {
  return {
    id, type: 'mfg-event', z, name, plant: 'mfg-cfg-plant', eventType, dataFrom: mappings ? 'fields' : 'payload',
    mappings: (mappings || []).map(([field, vt, v]) => ({ field, vt, v })), errorOutput: false, outputs: 1, ...pos, wires: [wires],
  };
}

function validate(z, id, valid, invalid, pos) {
  return { id, type: 'mfg-validate', z, name: '', schemaFrom: 'catalog', customSchema: '', customTarget: 'data', maxBytes: 262144, ...pos, wires: [valid, invalid] };
}

function idempotency(z, id, name, key, keyType, scope, fresh, dup, pos) {
  return { id, type: 'mfg-idempotency', z, name, store: 'mfg-cfg-store', key, keyType, scope, mode: 'eager', leaseSeconds: '', retentionHours: '', ...pos, wires: [fresh, dup] };
}

function connector(type, z, id, name, operation, ok, failed, pos) {
  const endpoint = { 'mfg-erp': 'mfg-cfg-erp', 'mfg-wms': 'mfg-cfg-wms', 'mfg-qms': 'mfg-cfg-qms' }[type];
  return { id, type, z, name, endpoint, operation, plant: 'mfg-cfg-plant', store: 'mfg-cfg-store', limit: 100000, ...pos, wires: [ok, failed] };
}
const erp = (...a) => connector('mfg-erp', ...a);
const wms = (...a) => connector('mfg-wms', ...a);
const qms = (...a) => connector('mfg-qms', ...a);

function publish(z, id, name, pos) {
  return {
    id, type: 'mfg-publish', z, name, broker: 'mfg-cfg-broker', plant: 'mfg-cfg-plant', store: 'mfg-cfg-store', topicFrom: 'event',
    topic: '', retain: false, limit: 100000, maxAttempts: 0, maxAgeHours: 168, rate: 0, ...pos, wires: [],
  };
}

function subscribe(z, id, name, types, events, invalid, pos, group = '') {
  return { id, type: 'mfg-subscribe', z, name, broker: 'mfg-cfg-broker', plant: 'mfg-cfg-plant', mode: 'types', types, topic: '', group, qos: 1, ...pos, wires: [events, invalid] };
}

function dlq(z, id, name, replay, pos) {
  return { id, type: 'mfg-dlq', z, name, store: 'mfg-cfg-store', retentionDays: 30, ...pos, wires: [replay] };
}

function catchNode(z, id, name, scope, wires, pos) {
  return { id, type: 'catch', z, name, scope, uncaught: false, ...pos, wires: [wires] };
}

/** The config nodes a flow refers to, in a fixed order. */
function configFor(nodes) {
  const text = JSON.stringify(nodes);
  return CONFIG.filter((c) => text.includes(`"${c.id}"`));
}

module.exports = {
  at, CONFIG, SIM_CREDENTIALS, configFor, tab, comment, inject, fn, debug, event, validate, idempotency,
  erp, wms, qms, publish, subscribe, dlq, catchNode,
};
