'use strict';
// Invariants of the ERP simulator's state model under random postings: stock never goes
// negative, transfers conserve quantity, a rejected posting changes nothing.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { ErpState, ErpError } = require('../../dist/sim/erp/state');

const total = (s, material) => s.stockRows((r) => r.material === material).reduce((a, r) => a + r.qty, 0);

const movement = fc.record({
  movementType: fc.constantFrom('344', '343', '311', '321', '322', '261', '101', '201', '501'),
  material: fc.constantFrom('FG226', 'RM100', 'RM200', 'SP001'),
  storageLocation: fc.constantFrom('171A', '171B', '171Q'),
  toStorageLocation: fc.constantFrom('171A', '171B', '171Q'),
  batch: fc.constantFrom('B0001', 'RB001', 'RB002', 'X9'),
  qty: fc.integer({ min: 1, max: 600 }),
});

describe('ERP state model', () => {
  it('keeps every balance non-negative and rejected postings without effect', () => {
    fc.assert(fc.property(fc.array(fc.array(movement, { minLength: 1, maxLength: 3 }), { maxLength: 40 }), (docs) => {
      const s = new ErpState();
      for (const items of docs) {
        const before = JSON.stringify(s.stockRows());
        const docsBefore = s.documents.length;
        try {
          s.postMovements(items.map((m) => ({ ...m, plant: '1710', unit: '', order: ['101', '261'].includes(m.movementType) ? '1000123' : undefined })), { code: '04' });
          assert.equal(s.documents.length, docsBefore + 1);
        } catch (e) {
          if (!(e instanceof ErpError)) throw e;
          assert.equal(JSON.stringify(s.stockRows()), before, `rejected (${e.message}) but stock changed`);
          assert.equal(s.documents.length, docsBefore);
        }
        for (const r of s.stockRows()) assert.ok(r.qty >= 0, `${r.material} ${r.storageLocation} ${r.batch} ${r.stockType} = ${r.qty}`);
      }
    }), { numRuns: 200 });
  });

  it('conserves quantity across transfer postings (311, 321, 322, 343, 344)', () => {
    fc.assert(fc.property(fc.array(movement.filter((m) => ['311', '321', '322', '343', '344'].includes(m.movementType)), { maxLength: 60 }), (moves) => {
      const s = new ErpState();
      const totals = ['FG226', 'RM100', 'RM200', 'SP001'].map((m) => total(s, m));
      for (const m of moves) {
        try { s.postMovements([{ ...m, plant: '1710', unit: '' }], { code: '04' }); } catch (e) { if (!(e instanceof ErpError)) throw e; }
      }
      assert.deepEqual(['FG226', 'RM100', 'RM200', 'SP001'].map((m) => total(s, m)), totals);
    }), { numRuns: 200 });
  });

  it('snapshot and restore bring back every balance and document counter', () => {
    const s = new ErpState();
    const snap = s.snapshot();
    s.postMovements([{ material: 'FG226', plant: '1710', storageLocation: '171A', batch: 'B0001', movementType: '344', qty: 5, unit: 'PC' }], { code: '04' });
    s.createOrder({ material: 'FG226', plant: '1710', qty: 3 });
    s.restore(snap);
    assert.deepEqual(s.stockRows().find((r) => r.material === 'FG226').qty, 20);
    assert.equal(s.orders.size, 2);
    assert.equal(s.postMovements([{ material: 'SP001', plant: '1710', storageLocation: '171B', batch: '', movementType: '201', qty: 1, unit: 'PC' }], { code: '03' }).number, '4900000001');
  });
});
