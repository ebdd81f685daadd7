// Runtime plugin of the monitor: records trace steps and message metrics for every
// package node through Node-RED's message hooks (no node file is touched), and serves
// the admin endpoints behind the editor sidebar (see mfg-monitor.html).
import path from 'path';
import type { NodeAPI } from 'node-red';
import { Recorder, Sampler, TracePersistence, TraceStore } from '../../lib/observability';
import { acquireStore } from '../shared/store';
import { AuditLog } from '../../lib/governance/audit';
import { registerMonitorRoutes } from './routes';

const LABEL = 'mfgConnectMonitor';
const HOOKS = ['onReceive', 'onSend', 'onComplete'];

interface MonitorSettings {
  trace?: { maxTransactions?: number; maxSteps?: number; retentionMs?: number; msgSteps?: number; perSecond?: number; enabled?: boolean; persist?: boolean; persistPerSecond?: number };
  monitor?: { sampleMs?: number; historyPoints?: number };
  audit?: { file?: string | false; keep?: number };
}

type Hooks = { add(id: string, cb: (ev: any) => void): void; remove(id: string): void; has?(id: string): boolean };

function settingsOf(RED: NodeAPI): MonitorSettings {
  try {
    const s = (RED.settings as unknown as Record<string, unknown>).mfgConnect;
    return (s && typeof s === 'object' ? s : {}) as MonitorSettings;
  } catch {
    return {};
  }
}

/** A hook body never breaks message delivery: our failure is logged once and ignored. */
function safe(RED: NodeAPI, fn: (ev: any) => void): (ev: any) => void {
  let warned = false;
  return (ev) => {
    try {
      fn(ev);
    } catch (err) {
      if (!warned) {
        warned = true;
        RED.log.warn(`mfg-connect monitor: trace hook failed: ${(err as Error).message}`);
      }
    }
  };
}

let previous: { sampler: Sampler; prune: NodeJS.Timeout; persist?: TracePersistence } | undefined;

export = (RED: NodeAPI) => {
  if (previous) {
    previous.sampler.stop();
    clearInterval(previous.prune);
    previous.persist?.stop();
  }
  const conf = settingsOf(RED);
  const store = new TraceStore(conf.trace);
  // Transactions are also kept in the package's default state store (the shared SQLite
  // file), so a path can be looked up after a restart; the plugin holds it for the runtime.
  let persist: TracePersistence | undefined;
  if (conf.trace?.persist !== false) {
    try {
      persist = new TracePersistence(acquireStore(RED), store, { perSecond: conf.trace?.persistPerSecond });
    } catch (err) {
      RED.log.warn(`mfg-connect monitor: traces stay in memory only: ${(err as Error).message}`);
    }
  }
  const recorder = new Recorder(store, { msgSteps: conf.trace?.msgSteps, perSecond: conf.trace?.perSecond });
  const sampler = new Sampler(Number(conf.monitor?.sampleMs) > 0 ? Number(conf.monitor?.sampleMs) : 5000, conf.monitor?.historyPoints || 120);
  const userDir = (RED.settings as unknown as { userDir?: string }).userDir;
  const auditFile = conf.audit?.file === false ? undefined : conf.audit?.file || (userDir ? path.join(userDir, 'mfg-connect-audit.jsonl') : undefined);
  const audit = new AuditLog({ file: auditFile, keep: conf.audit?.keep });

  const hooks = (RED as unknown as { hooks?: Hooks }).hooks;
  if (!hooks) RED.log.warn('mfg-connect monitor: this runtime has no message hooks; trace and message metrics are off');
  else if (conf.trace?.enabled !== false) {
    // a reload (tests, restarts of the plugin) must not stack a second set of hooks
    for (const h of HOOKS) {
      try {
        hooks.remove(`${h}.${LABEL}`);
      } catch {
        // not registered
      }
    }
    hooks.add(`onReceive.${LABEL}`, safe(RED, (ev) => recorder.onReceive(ev.msg, ev.destination?.node)));
    hooks.add(`onSend.${LABEL}`, safe(RED, (evs) => recorder.onSend(evs)));
    hooks.add(`onComplete.${LABEL}`, safe(RED, (ev) => recorder.onComplete(ev.msg, ev.node?.node, ev.error)));
  }
  sampler.start();
  const prune = setInterval(() => store.prune(), 60000);
  prune.unref();
  previous = { sampler, prune, persist };

  registerMonitorRoutes(RED, { store, sampler, audit, persist });

  const plugins = (RED as unknown as { plugins?: { registerPlugin?: (id: string, def: object) => void } }).plugins;
  plugins?.registerPlugin?.('mfg-monitor', { type: 'mfg-connect-monitor', store, audit });
};
