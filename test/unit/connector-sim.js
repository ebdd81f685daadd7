// Shared by the connector tests: simulator control and state reads over plain HTTP.
'use strict';

async function sim(s, method, p, body) {
  const r = await fetch(s.url + p, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  return text ? JSON.parse(text) : undefined;
}

const ledger = async (s, kind) => (await sim(s, 'GET', '/__sim/ledger')).entries.filter((e) => !kind || e.kind === kind);
const state = (s) => sim(s, 'GET', '/__sim/state');
const fault = (s, spec) => sim(s, 'POST', '/__sim/faults', spec);
const reset = (s) => sim(s, 'POST', '/__sim/reset');
const configure = (s, c) => sim(s, 'POST', '/__sim/config', c);

/** Quantity of one ERP stock row (0 when absent). */
function stockQty(st, material, sloc, batch, type = 'unrestricted') {
  const r = st.stock.find((x) => x.material === material && x.storageLocation === sloc && (x.batch || '') === (batch || '') && x.stockType === type);
  return r ? r.qty : 0;
}

/** Runs fn and returns the ConnectorError it rejects with. */
async function rejects(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

module.exports = { sim, ledger, state, fault, reset, configure, stockQty, rejects };
