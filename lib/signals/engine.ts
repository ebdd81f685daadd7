// The contextualization engine: raw signal samples in, canonical business events out.
// State changes are synchronous (so concurrent msgs never interleave); the few writes
// (counter marks at emission, context changes) are returned as one promise to await
// before the events leave.
import { catalog, CloudEvent, EventBuilder, PlantProfile, topicOf } from '../events';
import { Counter, CounterMark, counterValue, measuredValue, ShiftCalendar } from './counters';
import type { Sample } from './decode';
import { isRunning, StopTracker, ThresholdTracker } from './machine';
import { CodeEntry, DEFAULT_CODES, normaliseRule, parseCodeTable, Rule, RuleIndex } from './rules';
import { MemoryStateStore, SignalStateStore } from './state';
import { WorkContext, WorkContexts, workFromEvent } from './context';

export interface SignalEngineOptions {
  rules: Array<Partial<Rule> & Record<string, unknown>>;
  plant: PlantProfile;
  /** code table text (see parseCodeTable) */
  codes?: string;
  /** stops shorter than this are flicker (default 5 s) */
  minStopSec?: number;
  /** shift starts "06:00,14:00,22:00" in the plant time zone */
  shifts?: string;
  store?: SignalStateStore;
}

export interface Output {
  event: CloudEvent;
  topic: string;
}

export type DropReason = 'status' | 'time' | 'order' | 'nan' | 'type';

export interface Result {
  events: Output[];
  /** settles when the state behind these events is durable */
  written: Promise<void>;
}

export class SignalEngine {
  readonly rules: Rule[];
  readonly stats = { signals: 0, events: 0, unbound: 0, noContext: 0, dropped: { status: 0, time: 0, order: 0, nan: 0, type: 0 } as Record<DropReason, number> };
  private readonly index: RuleIndex;
  private readonly codes: Map<string, CodeEntry>;
  private readonly shifts: ShiftCalendar;
  private readonly store: SignalStateStore;
  private readonly lastTime = new Map<string, number>();
  private readonly counters = new Map<string, Counter>();
  private readonly stops = new Map<string, StopTracker>();
  private readonly thresholds = new Map<Rule, ThresholdTracker>();
  private readonly context = new WorkContexts();
  private readonly workCenters = new Map<string, string>();
  private writes: Promise<unknown>[] = [];

  constructor(private readonly o: SignalEngineOptions) {
    this.rules = o.rules.map((r, i) => normaliseRule(r, i));
    this.index = new RuleIndex(this.rules);
    this.codes = parseCodeTable(o.codes ?? DEFAULT_CODES);
    this.shifts = new ShiftCalendar(o.shifts ?? '', o.plant.timeZone || 'UTC');
    this.store = o.store ?? new MemoryStateStore();
    for (const r of this.rules) {
      if (r.workCenter && !this.workCenters.has(r.equipment)) this.workCenters.set(r.equipment, r.workCenter);
      if (r.role === 'good' || r.role === 'scrap') this.counters.set(`${r.equipment}|${r.role}`, new Counter(r.rollover));
      if (r.role === 'state') this.stops.set(r.equipment, new StopTracker(o.minStopSec ?? 5));
      if (r.role === 'threshold') this.thresholds.set(r, new ThresholdTracker(r));
    }
  }

  get equipments(): string[] {
    return [...new Set(this.rules.map((r) => r.equipment))];
  }

  /** Loads counter marks and work contexts persisted by an earlier run. */
  async load(): Promise<void> {
    for (const [key, c] of this.counters) c.load((await this.store.get(`counter/${key}`)) as CounterMark | undefined);
    for (const [eq, st] of this.stops) {
      const saved = (await this.store.get(`stop/${eq}`)) as { stopStart?: number; stopValue?: string; stopAlarm?: string } | undefined;
      // a stop that began before the restart keeps its true start
      if (saved && Number.isFinite(saved.stopStart)) Object.assign(st, { running: false, stopStart: saved.stopStart, stopValue: saved.stopValue, stopAlarm: saved.stopAlarm });
    }
    for (const eq of this.equipments) {
      this.context.restore(eq, await this.store.get(`context/${eq}`));
    }
  }

  get dropped(): number {
    return Object.values(this.stats.dropped).reduce((a, b) => a + b, 0);
  }

  contextOf(equipment: string): WorkContext {
    return this.context.get(equipment);
  }

  /** Processes decoded samples. */
  ingest(samples: Sample[]): Result {
    const out: Output[] = [];
    for (const s of samples) this.one(s, out);
    return this.result(out);
  }

  /** order.released / operation.started events set the work context of their work center. */
  onEvent(ev: unknown): Result {
    const out: Output[] = [];
    for (const w of workFromEvent(ev)) {
      for (const eq of this.byWorkCenter(w.workCenter)) {
        if (!w.ifIdle || !this.contextOf(eq).orderId) this.setContext(eq, w.ctx, out, false, w.since);
      }
    }
    return this.result(out);
  }

  /** Sets the work context of one equipment (or of all when none is named). */
  applyContext(equipment: string | undefined, ctx: WorkContext): Result {
    const out: Output[] = [];
    for (const eq of equipment ? [equipment] : this.equipments) this.setContext(eq, ctx, out);
    return this.result(out);
  }

  /** Emits every pending quantity (end of shift, shutdown of a line, a flush msg). */
  flush(equipment?: string): Result {
    const out: Output[] = [];
    for (const [key, c] of this.counters) {
      const [eq, role] = key.split('|');
      if ((!equipment || eq === equipment) && c.pending > 0) this.emitCounter(eq, role, c, out);
    }
    return this.result(out);
  }

  /** Periodic check of "every T seconds" against the signal clock (t = epoch ms on that clock). */
  tick(t: number): Result {
    const out: Output[] = [];
    for (const r of this.rules) {
      if ((r.role !== 'good' && r.role !== 'scrap') || !r.everySec) continue;
      const c = this.counters.get(`${r.equipment}|${r.role}`)!;
      if (c.pending > 0 && c.periodStart !== undefined && t - c.periodStart >= r.everySec * 1000) this.emitCounter(r.equipment, r.role, c, out);
    }
    return this.result(out);
  }

  private one(s: Sample, out: Output[]): void {
    const rules = this.index.find(s.id);
    if (!rules.length) {
      this.stats.unbound++;
      return;
    }
    if (!s.good) return this.drop('status');
    if (s.badTime || !Number.isFinite(s.time)) return this.drop('time');
    const last = this.lastTime.get(s.id);
    if (last !== undefined && s.time < last) return this.drop('order');
    for (const r of rules) {
      const reason = this.apply(r, s, out);
      if (reason) return this.drop(reason);
    }
    this.lastTime.set(s.id, s.time);
    this.stats.signals++;
  }

  private apply(r: Rule, s: Sample, out: Output[]): DropReason | undefined {
    const eq = r.equipment;
    switch (r.role) {
      case 'good':
      case 'scrap': {
        const v = counterValue(s.value);
        if (typeof v === 'string') return v;
        const c = this.counters.get(`${eq}|${r.role}`)!;
        if (c.markTime !== undefined && s.time < c.markTime) return 'order';
        if (c.pending > 0 && this.shifts.enabled && c.periodShift !== this.shifts.shiftOf(s.time)) this.emitCounter(eq, r.role, c, out);
        const before = c.pending;
        const first = c.cur === undefined;
        c.add(v, s.time);
        // parts stamped before the current work began were made for the previous work
        if (c.pending > 0 && this.context.isLate(eq, s.time)) this.emitCounter(eq, r.role, c, out);
        // the first value ever seen is the baseline a restart counts from
        if (first) this.writes.push(this.store.set(`counter/${eq}|${r.role}`, { raw: v, seq: c.seq, time: s.time }));
        if (before === 0 && c.pending > 0) c.periodShift = this.shifts.shiftOf(s.time);
        const due = (r.everyUnits && c.pending >= r.everyUnits) || (r.everySec && c.periodStart !== undefined && s.time - c.periodStart >= r.everySec * 1000);
        if (due && c.pending > 0) this.emitCounter(eq, r.role, c, out);
        return undefined;
      }
      case 'state': {
        const running = isRunning(r, s.value);
        if (running === 'type') return 'type';
        const st = this.stops.get(eq)!;
        const wasStart = st.stopStart;
        const stop = st.setState(running, String(s.value), s.time);
        if (st.stopStart !== wasStart) {
          this.writes.push(this.store.set(`stop/${eq}`, st.stopStart === undefined ? {} : { stopStart: st.stopStart, stopValue: st.stopValue, stopAlarm: st.stopAlarm }));
        }
        if (!stop) return undefined;
        const entry = this.codes.get(stop.code.toLowerCase());
        const ctx = this.contextOf(eq);
        const wc = this.workCenters.get(eq);
        this.emit('mfg.maintenance.downtime.classified.v1', {
          equipment: eq, workCenter: wc, orderId: ctx.orderId, operationId: ctx.operationId,
          start: iso(stop.start), end: iso(stop.end), durationSec: stop.durationSec, planned: entry?.planned ?? false,
          reason: { code: stop.code, category: entry?.category ?? 'unclassified', ...(entry?.text ? { text: entry.text } : {}) },
          alarmCode: stop.alarmCode,
        }, out);
        this.emit('mfg.maintenance.capacity.restored.v1', { equipment: eq, workCenter: wc, restoredAt: iso(stop.end), downtimeSec: stop.durationSec }, out);
        return undefined;
      }
      case 'alarm':
        if (typeof s.value === 'object' && s.value !== null) return 'type';
        this.stops.get(eq)?.setAlarm(s.value) ?? this.alarmOnly(eq, s.value);
        return undefined;
      case 'threshold': {
        const v = measuredValue(s.value);
        if (typeof v === 'string') return v;
        if (!this.thresholds.get(r)!.check(v, s.time)) return undefined;
        const alert = this.emit('mfg.maintenance.predictive-alert.raised.v1', {
          equipment: eq, workCenter: this.workCenters.get(eq), signal: r.name, value: v, threshold: r.limit,
          unit: r.unit, severity: r.severity, raisedAt: iso(s.time),
        }, out);
        if (r.sparePart && alert) {
          this.emit('mfg.maintenance.spare-parts.demanded.v1', {
            equipment: eq, material: r.sparePart, quantity: { value: r.spareQty ?? 1, unit: 'PC' }, alertId: alert.id, demandedAt: iso(s.time),
          }, out);
        }
        return undefined;
      }
      case 'order':
      case 'operation': {
        if (typeof s.value === 'object' && s.value !== null) return 'type';
        const v = s.value === null || s.value === undefined ? undefined : String(s.value).trim() || undefined;
        this.setContext(eq, r.role === 'order' ? { ...this.contextOf(eq), orderId: v } : { ...this.contextOf(eq), operationId: v }, out, true, s.time);
        return undefined;
      }
    }
  }

  private alarmOnly(_eq: string, _v: unknown): void {
    // an alarm without a state rule only classifies nothing; it is still a valid signal
  }

  private setContext(eq: string, ctx: WorkContext, out: Output[], replace = false, since?: number): void {
    const next = replace ? ctx : { ...this.contextOf(eq), ...ctx };
    const cur = this.contextOf(eq);
    if (cur.orderId === next.orderId && cur.operationId === next.operationId && cur.material === next.material) return;
    // the parts counted so far belong to the work that is ending
    for (const role of ['good', 'scrap']) {
      const c = this.counters.get(`${eq}|${role}`);
      if (c && c.pending > 0) this.emitCounter(eq, role, c, out);
    }
    const rec = this.context.change(eq, next, since);
    if (rec) this.writes.push(this.store.set(`context/${eq}`, rec));
  }

  private emitCounter(eq: string, role: string, c: Counter, out: Output[]): void {
    const ctx = this.context.at(eq, c.lastTime);
    if (!ctx.orderId || !ctx.operationId) {
      this.stats.noContext++;
      return; // held until the work context is known
    }
    const rule = this.rules.find((r) => r.equipment === eq && r.role === role)!;
    const p = c.take();
    this.writes.push(this.store.set(`counter/${eq}|${role}`, p.mark));
    const base = { orderId: ctx.orderId, operationId: ctx.operationId, workCenter: this.workCenters.get(eq), material: ctx.material };
    const qty = { value: p.qty, unit: rule.unit || 'PC' };
    if (role === 'good') {
      this.emit('mfg.production.quantity.confirmed.v1', {
        ...base, quantity: qty, confirmationCounter: p.seq, confirmedAt: iso(p.to), periodStart: iso(p.from), periodEnd: iso(p.to),
      }, out);
    } else {
      const entry = this.codes.get(String(rule.reason).toLowerCase());
      this.emit('mfg.production.scrap.posted.v1', {
        ...base, quantity: qty, reason: { code: rule.reason || 'SCRAP', category: entry?.category ?? 'quality', ...(entry?.text ? { text: entry.text } : {}) }, postedAt: iso(p.to),
      }, out);
    }
  }

  private emit(type: string, data: Record<string, unknown>, out: Output[]): CloudEvent | undefined {
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    let b = builders.get(type);
    if (!b) builders.set(type, (b = new EventBuilder(type)));
    const entry = catalog.get(type)!;
    const event = b.build(data, this.o.plant);
    out.push({ event, topic: topicOf(this.o.plant, entry.domain, entry.object, entry.action) });
    this.stats.events++;
    return event;
  }

  private drop(reason: DropReason): void {
    this.stats.dropped[reason]++;
  }

  private byWorkCenter(wc: string): string[] {
    if (!wc) return [];
    return this.equipments.filter((eq) => eq === wc || this.workCenters.get(eq) === wc);
  }

  private result(events: Output[]): Result {
    const w = this.writes;
    this.writes = [];
    return { events, written: w.length ? Promise.all(w).then(() => undefined) : Promise.resolve() };
  }
}

// a builder compiles its schemas once; shared by every engine of the process
const builders = new Map<string, EventBuilder>();
const iso = (t: number) => new Date(t).toISOString();
const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
