// A flow guarding POST /idem {key} and answering {status: new|duplicate}, shared by the
// idempotency end-to-end tests.
'use strict';

function guardFlow({ store, mode = 'mark' } = {}) {
  const nodes = [
    { id: 'tab', type: 'tab', label: 'guard' },
    { id: 'in', type: 'http in', z: 'tab', url: '/idem', method: 'post', x: 100, y: 100, wires: [['idem']] },
    { id: 'idem', type: 'mfg-idempotency', z: 'tab', store: store ? 'store' : '', keyType: 'msg', key: 'payload.key', scope: 'e2e', mode, x: 300, y: 100, wires: [['new'], ['dup']] },
    { id: 'new', type: 'function', z: 'tab', func: "msg.payload = { status: 'new', key: msg.idempotency.key }; return msg;", outputs: 1, x: 500, y: 80, wires: [['out']] },
    { id: 'dup', type: 'function', z: 'tab', func: "msg.payload = { status: 'duplicate', key: msg.idempotency.key, state: msg.idempotency.state }; return msg;", outputs: 1, x: 500, y: 120, wires: [['out']] },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 200, wires: [['fail']] },
    { id: 'fail', type: 'function', z: 'tab', func: 'msg.statusCode = 500; msg.payload = { error: msg.error.message }; return msg;', outputs: 1, x: 300, y: 200, wires: [['out']] },
    { id: 'out', type: 'http response', z: 'tab', x: 700, y: 100, wires: [] },
  ];
  if (store) nodes.push({ id: 'store', type: 'mfg-store', ...store });
  return nodes;
}

/** POSTs each key with `concurrency` requests in flight; returns {key: status}. Stops early when `stop()` is true;
 *  onAnswer(key, status) sees each answer as it comes. */
async function sendKeys(url, keys, { concurrency = 16, stop = () => false, onAnswer = () => {} } = {}) {
  const answers = {};
  let next = 0;
  async function worker() {
    while (next < keys.length && !stop()) {
      const key = keys[next++];
      try {
        const res = await fetch(`${url}/idem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
        const body = await res.json();
        answers[key] = res.ok ? body.status : `error: ${body.error}`;
        onAnswer(key, answers[key]);
      } catch {
        // no answer (the process died): the key's fate is unknown to the sender
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

module.exports = { guardFlow, sendKeys };
