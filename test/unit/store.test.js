'use strict';
const { storeContract } = require('./store-contract');
const { createStore } = require('../../dist/lib/store');
const { tmpDir } = require('../helpers/servers');
const path = require('path');

const common = { pruneIntervalMs: 0, pruneBatch: 10 };

storeContract('memory', async () => {
  const store = createStore({ kind: 'memory', ...common });
  return { store, close: () => store.close() };
});

storeContract('sqlite', async () => {
  const store = createStore({ kind: 'sqlite', path: path.join(tmpDir('store-'), 'state.db'), ...common });
  return { store, close: () => store.close() };
});
