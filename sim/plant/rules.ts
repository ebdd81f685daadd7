// mfg-signal rules for the simulated plant, over OPC UA node ids or MQTT topics: the
// rules the tests, benchmarks and example flows use.
import { DEMO } from './scenario';

export interface PlantRuleOptions {
  line?: string;
  source?: 'opcua' | 'mqtt';
  mqttPrefix?: string;
  everyUnits?: number;
}

export function plantRules(o: PlantRuleOptions = {}): Record<string, unknown>[] {
  const line = o.line ?? 'L1';
  const sig = (m: string, s: string) => (o.source === 'mqtt' ? `${o.mqttPrefix ?? 'plant'}/${line}/${m}/${s}` : `ns=1;s=${line}.${m}.${s}`);
  const rules: Record<string, unknown>[] = [];
  for (const m of DEMO.machines) {
    const equipment = `${line}-${m.machine}`;
    const workCenter = `WC-${line}-${m.machine}`;
    const base = { equipment, workCenter };
    rules.push(
      { ...base, signal: sig(m.machine, 'GoodCount'), role: 'good', unit: 'PC', everyUnits: o.everyUnits ?? 10, rollover: m.rollover ?? 0 },
      { ...base, signal: sig(m.machine, 'ScrapCount'), role: 'scrap', unit: 'PC', everyUnits: 5, reason: '40' },
      { ...base, signal: sig(m.machine, 'State'), role: 'state', running: 'RUNNING' },
      { ...base, signal: sig(m.machine, 'AlarmCode'), role: 'alarm' },
      { ...base, signal: sig(m.machine, 'OrderId'), role: 'order' },
      { ...base, signal: sig(m.machine, 'OperationId'), role: 'operation' },
      { ...base, signal: sig(m.machine, 'Vibration'), role: 'threshold', name: 'vibration', limit: 7, hysteresis: 1.5, minIntervalSec: 300, unit: 'mm/s', severity: 'warning', sparePart: 'BRG-6204', spareQty: 2 },
      { ...base, signal: sig(m.machine, 'Temperature'), role: 'threshold', name: 'temperature', limit: 85, hysteresis: 5, minIntervalSec: 600, unit: 'CEL' },
    );
  }
  return rules;
}
