// The store's own thread: it owns the SQLite connection, so a commit's fsync (slow on
// flash storage) or a lock held by another process never stalls Node-RED's event loop.
// Each message is one batch, run in one transaction; the reply carries the results.
import { parentPort, workerData } from 'worker_threads';
import { EngineOptions, OpCall, SqliteEngine } from './sqlite-engine';

export interface BatchRequest { id: number; calls: OpCall[] }
export type BatchReply = { id: number; results: import('./sqlite-engine').OpResult[] } | { id: number; error: string };

const port = parentPort;
if (port) {
  let engine: SqliteEngine | undefined;
  let openError: string | undefined;
  try {
    engine = new SqliteEngine(workerData as EngineOptions);
  } catch (err) {
    openError = (err as Error).message;
  }
  port.on('message', (m: BatchRequest | 'close') => {
    if (m === 'close') {
      engine?.close();
      port.close();
      return;
    }
    if (!engine) {
      port.postMessage({ id: m.id, error: openError } as BatchReply);
      return;
    }
    let reply: BatchReply;
    try {
      reply = { id: m.id, results: engine.exec(m.calls) };
    } catch (err) {
      reply = { id: m.id, error: (err as Error).message || String(err) };
    }
    port.postMessage(reply);
  });
}
