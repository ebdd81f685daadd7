// node-red-node-test-helper set up on the Node-RED of devDependencies, plus shortcuts.
'use strict';
const path = require('path');
const helper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

const dist = path.resolve(__dirname, '../../dist/nodes');
/** require() of a built node module, e.g. node('mfg-event'). */
function node(type) {
  return require(path.join(dist, type, `${type}.js`));
}

function start() {
  return new Promise((resolve) => helper.startServer(resolve));
}

async function stop() {
  await helper.unload();
  await new Promise((resolve) => helper.stopServer(resolve));
}

/** Resolves with the next msg a helper node receives (rejects after ms). */
function nextMsg(id, ms = 5000) {
  const n = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no msg on ${id} within ${ms} ms`)), ms);
    n.once('input', (msg) => { clearTimeout(t); resolve(msg); });
  });
}

/** Collects msgs arriving at a helper node. */
function collect(id) {
  const out = [];
  helper.getNode(id).on('input', (msg) => out.push(msg));
  return out;
}

async function until(pred, ms = 5000, step = 10) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error('condition not met in time');
}

/**
 * Makes a test flow loadable: nodes on a tab need x/y, or Node-RED takes them for
 * config nodes (and Catch/Status then never start).
 */
function flow(nodes) {
  for (const n of nodes) if (n.z && n.x === undefined) Object.assign(n, { x: 100, y: 100 });
  return nodes;
}

module.exports = { helper, node, start, stop, nextMsg, collect, until, flow };
