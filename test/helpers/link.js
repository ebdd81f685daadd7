// A TCP link in front of a server that can be cut (sockets destroyed, new ones refused)
// and restored: a WAN outage without losing the server's state.
'use strict';
const net = require('net');
const { freePort } = require('./servers');

async function startLink(upstreamPort) {
  const port = await freePort();
  const sockets = new Set();
  let cut = false;
  const server = net.createServer((down) => {
    if (cut) return down.destroy();
    const up = net.connect(upstreamPort, '127.0.0.1');
    for (const s of [down, up]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); }
    down.pipe(up).pipe(down);
    up.on('close', () => down.destroy());
    down.on('close', () => up.destroy());
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    cut() { cut = true; for (const s of sockets) s.destroy(); },
    restore() { cut = false; },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

module.exports = { startLink };
