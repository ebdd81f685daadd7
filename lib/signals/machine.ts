// Machine state (stops and their classification) and condition thresholds.
import type { CodeEntry, Rule } from './rules';

export interface Stop {
  start: number;
  end: number;
  durationSec: number;
  code: string;
  alarmCode?: string;
  entry?: CodeEntry;
}

const NO_ALARM = new Set(['', '0', 'false', 'none', 'null', 'ok']);

/** Tracks run/stop of one machine; a stop that ends after minStopSec is reported. */
export class StopTracker {
  running?: boolean;
  stopStart?: number;
  stopValue?: string;
  stopAlarm?: string;
  alarm?: string;
  flickers = 0;

  constructor(private readonly minStopSec: number) {}

  /** Alarm code signal; the first code seen during a stop classifies it. */
  setAlarm(v: unknown): void {
    const s = String(v ?? '').trim();
    this.alarm = NO_ALARM.has(s.toLowerCase()) ? undefined : s;
    if (this.running === false && !this.stopAlarm && this.alarm) this.stopAlarm = this.alarm;
  }

  /** State signal; returns the stop that just ended (long enough to count), if any. */
  setState(running: boolean, value: string, t: number): Stop | undefined {
    const was = this.running;
    this.running = running;
    if (!running) {
      if (was !== false) {
        this.stopStart = t;
        this.stopValue = value;
        this.stopAlarm = this.alarm;
      }
      return undefined;
    }
    if (was !== false || this.stopStart === undefined) return undefined;
    const stop: Stop = {
      start: this.stopStart,
      end: t,
      durationSec: Math.max(0, (t - this.stopStart) / 1000),
      code: this.stopAlarm ?? this.stopValue ?? 'STOPPED',
      alarmCode: this.stopAlarm,
    };
    this.stopStart = undefined;
    this.stopAlarm = undefined;
    if (stop.durationSec < this.minStopSec) {
      this.flickers++;
      return undefined;
    }
    return stop;
  }
}

/** Threshold with hysteresis: alerts once per excursion, and not more often than minIntervalSec. */
export class ThresholdTracker {
  active = false;
  lastAlert?: number;
  suppressed = 0;

  constructor(private readonly rule: Rule) {}

  /** Returns true when this value raises an alert. */
  check(v: number, t: number): boolean {
    const { limit = 0, hysteresis = 0, direction, minIntervalSec = 0 } = this.rule;
    const beyond = direction === 'below' ? v < limit : v > limit;
    const back = direction === 'below' ? v > limit + hysteresis : v < limit - hysteresis;
    if (this.active) {
      if (back) this.active = false;
      return false;
    }
    if (!beyond) return false;
    this.active = true;
    if (this.lastAlert !== undefined && t - this.lastAlert < minIntervalSec * 1000) {
      this.suppressed++;
      return false;
    }
    this.lastAlert = t;
    return true;
  }
}

/** Running values are compared case-insensitively as text: "RUNNING", 1, true. */
export function isRunning(rule: Rule, v: unknown): boolean | 'type' {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return 'type';
  if (typeof v === 'number' && Number.isNaN(v)) return 'type';
  return (rule.running ?? []).includes(String(v).trim().toLowerCase());
}
