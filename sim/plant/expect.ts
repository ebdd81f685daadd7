// What the demo scenario must turn into, and a summary of the events a flow produced,
// in the same shape, so that a test can compare the two with one deepEqual.
import type { Scenario } from './scenario';

type Ev = { type: string; data: Record<string, any> };

export interface Summary {
  /** good parts per "<equipment> <order>/<operation>" */
  good: Record<string, number>;
  scrap: Record<string, number>;
  /** "<equipment> <code> <category> <planned|unplanned> <seconds>s" in order of the stop end */
  downtime: string[];
  restored: string[];
  alerts: string[];
}

const equipmentOf = (machineKey: string) => machineKey.replace('.', '-');

export function expectedSummary(s: Scenario, minStopSec: number, codes: Record<number, [string, boolean]>): Summary {
  const out: Summary = { good: {}, scrap: {}, downtime: [], restored: [], alerts: [] };
  for (const [m, orders] of Object.entries(s.ledger.parts)) {
    for (const [ref, p] of Object.entries(orders)) {
      if (p.good) out.good[`${equipmentOf(m)} ${ref}`] = p.good;
      if (p.scrap) out.scrap[`${equipmentOf(m)} ${ref}`] = p.scrap;
    }
  }
  const stops = s.ledger.stops.filter((x) => x.to - x.from >= minStopSec && x.to < s.durationSec).sort((a, b) => a.to - b.to);
  for (const x of stops) {
    const [category, planned] = codes[x.alarm] ?? ['unclassified', false];
    out.downtime.push(`${equipmentOf(x.machine)} ${x.alarm} ${category} ${planned ? 'planned' : 'unplanned'} ${x.to - x.from}s`);
    out.restored.push(`${equipmentOf(x.machine)} ${x.to - x.from}s`);
  }
  out.downtime.sort();
  out.restored.sort();
  for (const line of new Set(Object.keys(s.ledger.parts).map((k) => k.split('.')[0]))) {
    for (const m of s.machines) if (m.excursion.length) out.alerts.push(`${line}-${m.machine} vibration`);
  }
  return out;
}

export function summarize(events: Ev[]): Summary {
  const out: Summary = { good: {}, scrap: {}, downtime: [], restored: [], alerts: [] };
  const add = (o: Record<string, number>, e: Ev) => {
    const k = `${e.data.workCenter.replace(/^WC-/, '')} ${e.data.orderId}/${e.data.operationId}`;
    o[k] = (o[k] || 0) + e.data.quantity.value;
  };
  for (const e of events) {
    if (e.type.includes('.quantity.confirmed.')) add(out.good, e);
    else if (e.type.includes('.scrap.posted.')) add(out.scrap, e);
    else if (e.type.includes('.downtime.classified.')) {
      const d = e.data;
      out.downtime.push(`${d.equipment} ${d.alarmCode ?? d.reason.code} ${d.reason.category} ${d.planned ? 'planned' : 'unplanned'} ${d.durationSec}s`);
    } else if (e.type.includes('.capacity.restored.')) out.restored.push(`${e.data.equipment} ${e.data.downtimeSec}s`);
    else if (e.type.includes('.predictive-alert.raised.')) out.alerts.push(`${e.data.equipment} ${e.data.signal}`);
  }
  // stops of different machines may end in either order over separate subscriptions
  out.downtime.sort();
  out.restored.sort();
  return out;
}

/** The code table of the demo flows as [category, planned] by alarm code. */
export const DEMO_CODES: Record<number, [string, boolean]> = {
  17: ['breakdown', false], 31: ['material-shortage', false], 40: ['quality', false], 50: ['changeover', true],
};
