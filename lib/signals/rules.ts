// Rules bind a signal (OPC UA node id, or MQTT topic with + and # wildcards) to a role
// on a piece of equipment; the code table classifies stops.

export type Role = 'good' | 'scrap' | 'state' | 'alarm' | 'threshold' | 'order' | 'operation';
export const ROLES: Role[] = ['good', 'scrap', 'state', 'alarm', 'threshold', 'order', 'operation'];

export interface Rule {
  signal: string;
  role: Role;
  equipment: string;
  workCenter?: string;
  // counters
  unit?: string;
  /** emit when this many units are pending (0 = off) */
  everyUnits?: number;
  /** emit when the pending units are this old, in seconds of signal time (0 = off) */
  everySec?: number;
  /** counter modulus, e.g. 65536 for a 16-bit PLC counter (0 = none) */
  rollover?: number;
  /** scrap reason code for scrap.posted */
  reason?: string;
  // machine state
  /** values that mean "running" (case-insensitive), default RUNNING, EXECUTE, 1, true */
  running?: string[];
  // thresholds
  /** signal name in the alert, e.g. vibration */
  name?: string;
  limit?: number;
  hysteresis?: number;
  direction?: 'above' | 'below';
  minIntervalSec?: number;
  severity?: 'info' | 'warning' | 'critical';
  /** spare part to demand with the alert */
  sparePart?: string;
  spareQty?: number;
}

const DEFAULT_RUNNING = ['running', 'execute', '1', 'true'];

/** Checks and normalises a rule; throws with the reason when it cannot work. */
export function normaliseRule(r: Partial<Rule> & Record<string, unknown>, index = 0): Rule {
  const at = `rule ${index + 1}`;
  const signal = String(r.signal ?? '').trim();
  if (!signal) throw new Error(`${at}: signal (node id or topic) is empty`);
  if (!ROLES.includes(r.role as Role)) throw new Error(`${at}: role "${r.role}" is not one of ${ROLES.join(', ')}`);
  const equipment = String(r.equipment ?? '').trim();
  if (!equipment) throw new Error(`${at}: equipment is empty`);
  const num = (k: string, def: number, min = 0) => {
    const raw = r[k];
    if (raw === undefined || raw === null || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${at}: ${k} must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  const rule: Rule = { signal, role: r.role as Role, equipment, workCenter: String(r.workCenter ?? '').trim() || undefined };
  if (rule.role === 'good' || rule.role === 'scrap') {
    rule.unit = String(r.unit || 'PC');
    rule.everyUnits = num('everyUnits', 0);
    rule.everySec = num('everySec', 0);
    rule.rollover = num('rollover', 0);
    rule.reason = String(r.reason || 'SCRAP');
  } else if (rule.role === 'state') {
    const list = Array.isArray(r.running) ? r.running : String(r.running ?? '').split(',');
    const running = list.map((s) => String(s).trim().toLowerCase()).filter(Boolean);
    rule.running = running.length ? running : DEFAULT_RUNNING;
  } else if (rule.role === 'threshold') {
    if (r.limit === undefined || (r.limit as unknown) === '' || !Number.isFinite(Number(r.limit))) throw new Error(`${at}: threshold needs a numeric limit`);
    rule.limit = Number(r.limit);
    rule.hysteresis = num('hysteresis', 0);
    rule.direction = r.direction === 'below' ? 'below' : 'above';
    rule.minIntervalSec = num('minIntervalSec', 0);
    rule.severity = (['info', 'warning', 'critical'] as const).find((s) => s === r.severity) ?? 'warning';
    rule.name = String(r.name || signal.split(/[./]/).pop() || 'signal');
    rule.unit = r.unit ? String(r.unit) : undefined;
    rule.sparePart = r.sparePart ? String(r.sparePart) : undefined;
    rule.spareQty = num('spareQty', 1);
  }
  return rule;
}

/** MQTT-style match: "+" one level, "#" the rest; anything else must be equal. */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

const isPattern = (s: string) => s.split('/').some((l) => l === '+' || l === '#');

/** Finds the rules of a signal id: exact ids through a map, patterns in order, results cached. */
export class RuleIndex {
  private readonly exact = new Map<string, Rule[]>();
  private readonly patterns: Rule[] = [];
  private readonly cache = new Map<string, Rule[]>();

  constructor(readonly rules: Rule[]) {
    for (const r of rules) {
      if (isPattern(r.signal)) this.patterns.push(r);
      else this.exact.set(r.signal, [...(this.exact.get(r.signal) ?? []), r]);
    }
  }

  find(id: string): Rule[] {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const out = [...(this.exact.get(id) ?? []), ...this.patterns.filter((r) => topicMatches(r.signal, id))];
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(id, out);
    return out;
  }
}

export interface CodeEntry {
  code: string;
  category: string;
  planned: boolean;
  text?: string;
}

/**
 * The stop code table, one entry a line: "code, category, planned|unplanned, text".
 * Lines starting with # are comments.
 */
export function parseCodeTable(src: string): Map<string, CodeEntry> {
  const out = new Map<string, CodeEntry>();
  src.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const [code, category, plan, ...text] = l.split(',').map((s) => s.trim());
    if (!code || !category) throw new Error(`code table line ${i + 1}: expected "code, category, planned|unplanned, text", got "${l}"`);
    if (plan && !/^(planned|unplanned)$/i.test(plan)) throw new Error(`code table line ${i + 1}: "${plan}" must be planned or unplanned`);
    out.set(code.toLowerCase(), { code, category, planned: /^planned$/i.test(plan || ''), text: text.join(',') || undefined });
  });
  return out;
}

export const DEFAULT_CODES = [
  '# code, category, planned|unplanned, text',
  '17, breakdown, unplanned, Spindle drive fault',
  '21, breakdown, unplanned, Hydraulic pressure low',
  '31, material-shortage, unplanned, No material at infeed',
  '40, quality, unplanned, Quality check failed',
  '50, changeover, planned, Changeover / setup',
  '55, planned-maintenance, planned, Planned maintenance',
  '60, no-operator, unplanned, No operator at station',
].join('\n');
