// Throw-away PKI for TLS tests, made with the openssl command: a CA, a server
// certificate for 127.0.0.1/localhost signed by it, and an unrelated second CA.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { tmpDir } = require('./servers');

function ossl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir, name) {
  ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

function makePki() {
  const dir = tmpDir('mfg-pki-');
  makeCa(dir, 'test-ca');
  makeCa(dir, 'other-ca');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  ossl(['x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.crt', '-CAkey', 'test-ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt'], dir);
  // mosquitto drops root privileges to its own user before reading them
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'test-ca.crt'), certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key'),
    ca: read('test-ca.crt'), otherCa: read('other-ca.crt'), cert: read('server.crt'), key: read('server.key'),
  };
}

module.exports = { makePki };
