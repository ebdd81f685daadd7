'use strict';
// The simulators run standalone from the command line, on ports taken from the environment.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { spawn } = require('child_process');
const axios = require('axios');
const { freePort, waitPort, stopProcess } = require('../helpers/servers');

const cli = path.resolve(__dirname, '../../dist/sim/cli.js');

describe('simulator command line', () => {
  it('starts the named simulators on MFG_*_PORT and stops on SIGTERM', async () => {
    const [erpPort, qmsPort, wmsPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [cli, 'erp', 'qms'], { env: { ...process.env, MFG_ERP_PORT: String(erpPort), MFG_QMS_PORT: String(qmsPort), MFG_WMS_PORT: String(wmsPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    try {
      await waitPort(erpPort);
      await waitPort(qmsPort);
      assert.equal((await axios.get(`http://127.0.0.1:${erpPort}/__sim/health`)).data.name, 'erp');
      assert.equal((await axios.get(`http://127.0.0.1:${qmsPort}/__sim/health`)).data.name, 'qms');
      await assert.rejects(axios.get(`http://127.0.0.1:${wmsPort}/__sim/health`), /ECONNREFUSED/, 'wms was not asked for');
      const stock = await axios.get(`http://127.0.0.1:${erpPort}/api/v1/stock`, { params: { material: 'FG226' } });
      assert.equal(stock.data.totals.unrestricted, 20);
      assert.match(out, new RegExp(`ERP simulator on http://127.0.0.1:${erpPort}`));
    } finally {
      await stopProcess(child);
    }
    assert.equal(child.exitCode, 0, out);
  });

  it('refuses a port that is not a number', async () => {
    const child = spawn(process.execPath, [cli, 'wms'], { env: { ...process.env, MFG_WMS_PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 1);
    assert.match(err, /MFG_WMS_PORT="eighty" is not a port number/);
  });
});
