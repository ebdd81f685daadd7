// The scripted, seeded plant scenario: a time-ordered list of signal changes in plant
// seconds, plus the ledger of what really happened (parts per order, stops, excursions)
// so that tests and benchmarks can check the events derived from the signals.

export type SignalName = 'State' | 'AlarmCode' | 'GoodCount' | 'ScrapCount' | 'Temperature' | 'Vibration' | 'OrderId' | 'OperationId';
export const SIGNALS: SignalName[] = ['State', 'AlarmCode', 'GoodCount', 'ScrapCount', 'Temperature', 'Vibration', 'OrderId', 'OperationId'];

export interface Change {
  /** plant seconds since the scenario start */
  t: number;
  line: string;
  machine: string;
  signal: SignalName;
  value: string | number;
}

export interface Segment {
  from: number;
  to: number;
  mode: 'run' | 'stop';
  alarm: number;
  orderId: string;
  operationId: string;
}

export interface MachineScript {
  machine: string;
  cycleSec: number;
  scrapRate: number;
  /** counter modulus (65536 for a UInt16 PLC counter); undefined = UInt32 */
  rollover?: number;
  goodStart: number;
  /** the counters restart from 0 when the order changes */
  resetOnOrderChange: boolean;
  segments: Segment[];
  /** vibration (mm/s) overrides: [plant second, value] */
  excursion: [number, number][];
}

export interface ScenarioDef {
  name: string;
  durationSec: number;
  machines: MachineScript[];
}

export interface Ledger {
  /** parts made per machine and order/operation */
  parts: Record<string, Record<string, { good: number; scrap: number }>>;
  /** stops per machine with their alarm code and plant-second bounds */
  stops: { machine: string; from: number; to: number; alarm: number }[];
}

export interface Scenario extends ScenarioDef {
  changes: Change[];
  ledger: Ledger;
}

/** mulberry32: small, fast, seedable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const run = (from: number, to: number, orderId: string, operationId: string): Segment => ({ from, to, mode: 'run', alarm: 0, orderId, operationId });
const stop = (from: number, to: number, alarm: number, orderId: string, operationId: string): Segment => ({ from, to, mode: 'stop', alarm, orderId, operationId });

/** The demo: a breakdown (alarm 17), a flicker, a changeover (alarm 50), a material shortage (alarm 31), a vibration excursion. */
export const DEMO: ScenarioDef = {
  name: 'demo',
  durationSec: 600,
  machines: [
    {
      machine: 'M1', cycleSec: 6, scrapRate: 0.05, goodStart: 0, resetOnOrderChange: true,
      segments: [
        run(0, 120, '1000123', '0010'),
        stop(120, 240, 17, '1000123', '0010'),
        run(240, 300, '1000123', '0010'),
        stop(300, 303, 0, '1000123', '0010'), // flicker: shorter than any sensible minimum stop
        run(303, 360, '1000123', '0010'),
        stop(360, 450, 50, '1000124', '0010'),
        run(450, 600, '1000124', '0010'),
      ],
      excursion: [[500, 7.4], [505, 6.4], [510, 7.9], [515, 8.8], [520, 9.3], [525, 8.1], [530, 6.2], [535, 4.6], [540, 2.3]],
    },
    {
      machine: 'M2', cycleSec: 4, scrapRate: 0.03, rollover: 65536, goodStart: 65500, resetOnOrderChange: false,
      segments: [
        run(0, 200, '1000200', '0020'),
        stop(200, 260, 31, '1000200', '0020'),
        run(260, 600, '1000200', '0020'),
      ],
      excursion: [],
    },
  ],
};

export const SCENARIOS: Record<string, ScenarioDef> = { demo: DEMO };

/** Expands a scenario for the given lines into the ordered change list and its ledger. */
export function expand(def: ScenarioDef, lines: string[], seed: number): Scenario {
  const changes: Change[] = [];
  const ledger: Ledger = { parts: {}, stops: [] };
  for (const line of lines) {
    for (const m of def.machines) {
      const rnd = prng(seed ^ hash(`${line}.${m.machine}`));
      const key = `${line}.${m.machine}`;
      const put = (t: number, signal: SignalName, value: string | number) => changes.push({ t, line, machine: m.machine, signal, value });
      const first = m.segments[0];
      let good = m.goodStart;
      let scrap = 0;
      put(0, 'OrderId', first.orderId);
      put(0, 'OperationId', first.operationId);
      put(0, 'GoodCount', good);
      put(0, 'ScrapCount', scrap);
      put(0, 'AlarmCode', 0);
      put(0, 'State', 'RUNNING');
      let order = first.orderId;
      const parts = (ledger.parts[key] = {} as Record<string, { good: number; scrap: number }>);
      for (const s of m.segments) {
        const ref = `${s.orderId}/${s.operationId}`;
        parts[ref] = parts[ref] || { good: 0, scrap: 0 };
        if (s.orderId !== order) {
          // the operator books the next order midway through the changeover and the PLC
          // clears its counters shortly before the run: well apart from the last part
          order = s.orderId;
          const at = s.mode === 'stop' ? Math.round((s.from + s.to) / 2) : s.from;
          put(at, 'OrderId', s.orderId);
          put(at, 'OperationId', s.operationId);
          if (m.resetOnOrderChange) {
            good = 0;
            scrap = 0;
            const resetAt = s.mode === 'stop' ? s.to - 5 : s.from;
            put(resetAt, 'GoodCount', 0);
            put(resetAt, 'ScrapCount', 0);
          }
        }
        if (s.mode === 'stop') {
          // the alarm is raised before the machine reports the stop
          if (s.alarm) put(s.from, 'AlarmCode', s.alarm);
          put(s.from, 'State', 'STOPPED');
          ledger.stops.push({ machine: key, from: s.from, to: s.to, alarm: s.alarm });
          continue;
        }
        if (s.from > 0) {
          put(s.from, 'State', 'RUNNING');
          put(s.from, 'AlarmCode', 0);
        }
        for (let t = s.from + m.cycleSec; t <= s.to; t += m.cycleSec) {
          if (rnd() < m.scrapRate) {
            scrap++;
            parts[ref].scrap++;
            put(t, 'ScrapCount', scrap);
          } else {
            good = m.rollover ? (good + 1) % m.rollover : good + 1;
            parts[ref].good++;
            put(t, 'GoodCount', good);
          }
        }
      }
      // condition signals every 5 plant seconds
      const exc = new Map(m.excursion);
      for (let t = 0; t <= def.durationSec; t += 5) {
        put(t, 'Temperature', round(61 + rnd() * 2));
        put(t, 'Vibration', exc.get(t) ?? round(1.8 + rnd() * 0.8));
      }
      // end of the shift: the machine stops and the order is signed off
      put(def.durationSec, 'State', 'STOPPED');
      put(def.durationSec, 'OrderId', '');
      put(def.durationSec, 'OperationId', '');
    }
  }
  // stable sort: changes at the same plant second keep their scripted order
  changes.sort((a, b) => a.t - b.t);
  return { ...def, changes, ledger };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
