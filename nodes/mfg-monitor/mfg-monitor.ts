// Runtime plugin of the monitor: records trace steps and message metrics for every
// package node through Node-RED's message hooks (no node file is touched), and serves
// the admin endpoints behind the editor sidebar (see mfg-monitor.html).
import path from 'path';
import type { NodeAPI } from 'node-red';
import { Recorder, Sampler, TracePersistence, TraceStore } from '../../lib/observability';
import { acquireStore } from '../shared/store';
import { AuditLog } from '../../lib/governance/audit';
import { registerMonitorRoutes } from './routes';
import { listen } from '../shared/msg-hooks';

interface MonitorSettings {
  trace?: { maxTransactions?: number; maxSteps?: number; retentionMs?: number; msgSteps?: number; perSecond?: number; enabled?: boolean; persist?: boolean; persistPerSecond?: number };
  monitor?: { sampleMs?: number; historyPoints?: number };
  audit?: { file?: string | false; keep?: number };
}

function settingsOf(RED: NodeAPI): MonitorSettings {
  try {
    const s = (RED.settings as unknown as Record<string, unknown>).mfgConnect;
    return (s && typeof s === 'object' ? s : {}) as MonitorSettings;
  } catch {
    return {};
  }
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

  // One listener of the package's shared message hooks; a reload replaces it.
  const listener = conf.trace?.enabled === false ? undefined : {
    onReceive: (ev: any) => recorder.onReceive(ev.msg, ev.destination?.node),
    onSend: (evs: any) => recorder.onSend(evs),
    onComplete: (ev: any) => recorder.onComplete(ev.msg, ev.node?.node, ev.error),
  };
  if (!listen(RED, 'the monitor (trace and message metrics)', listener) && listener) {
    RED.log.warn('mfg-connect monitor: this runtime has no message hooks; trace and message metrics are off');
  }
  sampler.start();
  const prune = setInterval(() => store.prune(), 60000);
  prune.unref();
  previous = { sampler, prune, persist };

  registerMonitorRoutes(RED, { store, sampler, audit, persist });

  const plugins = (RED as unknown as { plugins?: { registerPlugin?: (id: string, def: object) => void } }).plugins;
  plugins?.registerPlugin?.('mfg-monitor', { type: 'mfg-connect-monitor', store, audit });
};
