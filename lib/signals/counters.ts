// Piece counters: deltas across resets and rollovers, pending units per period, and the
// persisted watermark (the raw counter value through which units were confirmed) that
// lets a restart pick up the parts made meanwhile without counting any twice.

export interface CounterMark {
  /** raw counter value through which units have been emitted */
  raw: number;
  /** confirmations emitted so far */
  seq: number;
  /** signal time of that raw value: older samples are replays */
  time?: number;
}

export class Counter {
  /** last raw value seen (undefined until the first sample or a loaded mark) */
  cur?: number;
  pending = 0;
  seq = 0;
  periodStart?: number;
  periodShift?: string;
  lastTime?: number;
  lastEmit?: number;
  /** time of the loaded mark; samples before it were counted by an earlier run */
  markTime?: number;
  resets = 0;
  rollovers = 0;

  constructor(readonly rollover = 0) {}

  load(mark: CounterMark | undefined): void {
    if (!mark || !Number.isFinite(mark.raw)) return;
    this.cur = mark.raw;
    this.seq = Number(mark.seq) || 0;
    if (Number.isFinite(mark.time)) this.markTime = this.lastEmit = mark.time;
  }

  /** Units since the last value: a drop is a rollover when it wraps near the modulus, else a reset. */
  delta(v: number): number {
    const prev = this.cur;
    if (prev === undefined) return 0;
    if (v >= prev) return v - prev;
    const m = this.rollover;
    if (m && prev >= m * 0.9 && v < m * 0.1) {
      this.rollovers++;
      return m - prev + v;
    }
    this.resets++;
    return v;
  }

  /** Adds a raw value at time t; returns the units it added. */
  add(v: number, t: number): number {
    const d = this.delta(v);
    this.cur = v;
    if (d > 0) {
      if (this.pending === 0) this.periodStart = this.lastEmit ?? t;
      this.pending += d;
    }
    this.lastTime = t;
    return d;
  }

  /** Takes the pending units for an emission; returns the period and the new mark. */
  take(): { qty: number; from: number; to: number; seq: number; mark: CounterMark } {
    const to = this.lastTime ?? Date.now();
    const out = { qty: this.pending, from: this.periodStart ?? to, to, seq: ++this.seq, mark: { raw: this.cur ?? 0, seq: this.seq, time: to } };
    this.pending = 0;
    this.lastEmit = to;
    this.periodStart = undefined;
    return out;
  }
}

/** A counter value: a non-negative integer (numeric strings and OPC UA [high, low] 64-bit pairs accepted). */
export function counterValue(v: unknown): number | 'nan' | 'type' {
  if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 0)) return v[0] * 4294967296 + v[1];
  if (typeof v === 'string' && v.trim() !== '') {
    v = Number(v);
    if (Number.isNaN(v)) return 'type';
  }
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v !== 'number') return 'type';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) return 'type';
  return v;
}

/** A measured value: a finite number (numeric strings accepted). */
export function measuredValue(v: unknown): number | 'nan' | 'type' {
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? 'type' : n;
  }
  if (typeof v !== 'number') return 'type';
  if (Number.isNaN(v)) return 'nan';
  return Number.isFinite(v) ? v : 'nan';
}

/**
 * Shift boundaries ("06:00,14:00,22:00") in a time zone: shiftOf(t) names the shift a
 * time falls in, so a change of shift can close the counting period.
 */
export class ShiftCalendar {
  private readonly starts: number[];
  private readonly fmt: Intl.DateTimeFormat;
  private cacheMinute = NaN;
  private cacheId = '';

  constructor(spec: string, timeZone = 'UTC') {
    this.starts = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
        if (!m) throw new Error(`shift start "${s}" is not HH:MM`);
        return Number(m[1]) * 60 + Number(m[2]);
      })
      .sort((a, b) => a - b);
    this.fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  get enabled(): boolean {
    return this.starts.length > 0;
  }

  shiftOf(t: number): string {
    if (!this.enabled) return '';
    const minute = Math.floor(t / 60000);
    if (minute === this.cacheMinute) return this.cacheId;
    const { day, mins } = this.local(t);
    let id: string;
    const last = [...this.starts].reverse().find((s) => s <= mins);
    if (last !== undefined) id = `${day}@${last}`;
    else id = `${this.local(t - 86400000).day}@${this.starts[this.starts.length - 1]}`;
    this.cacheMinute = minute;
    this.cacheId = id;
    return id;
  }

  private local(t: number): { day: string; mins: number } {
    const parts = Object.fromEntries(this.fmt.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return { day: `${parts.year}-${parts.month}-${parts.day}`, mins: Number(parts.hour) * 60 + Number(parts.minute) };
  }
}
