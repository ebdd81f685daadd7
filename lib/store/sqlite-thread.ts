// The main-thread side of the store's own thread. Calls queue up while a batch is being
// committed and go together as the next batch, so under load one fsync covers many msgs
// without a wait window, and when idle a call is committed at once. Batches run one at
// a time, in order, so every caller sees the effects of the calls it made before.
import path from 'path';
import { Worker } from 'worker_threads';
import { EngineOptions, OpCall, OpName, OpResult, opError } from './sqlite-engine';
import type { BatchReply } from './sqlite-worker';
import type { CommitListener } from './group-commit';

interface Pending { call: OpCall; resolve: (v: unknown) => void; reject: (e: unknown) => void }

const WORKER = path.join(__dirname, 'sqlite-worker.js');

export class SqliteThread {
  private worker?: Worker;
  private queued: Pending[] = [];
  private inFlight?: { id: number; ops: Pending[] };
  private scheduled = false;
  private nextId = 1;
  private closing?: Promise<void>;
  private drained?: () => void;
  readonly stats = { transactions: 0, operations: 0 };

  constructor(private readonly opts: EngineOptions, private readonly maxBatch: number, private readonly onCommit: CommitListener) {}

  submit(name: OpName, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queued.push({ call: [name, args], resolve, reject });
      if (!this.inFlight && !this.scheduled) {
        // Gather the calls of this tick into the first batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private spawn(): Worker {
    const w = new Worker(WORKER, { workerData: this.opts });
    w.on('message', (m: BatchReply) => this.settle(m));
    // A worker that dies (a crash in native code, out of memory) fails its batch; the
    // next call starts a new one on the same file.
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`exited with code ${code}`)));
    w.unref();
    return w;
  }

  private send(): void {
    if (this.inFlight) return;
    if (!this.queued.length) return this.drained?.();
    const ops = this.queued.length > this.maxBatch ? this.queued.splice(0, this.maxBatch) : this.queued;
    if (ops === this.queued) this.queued = [];
    const id = this.nextId++;
    this.inFlight = { id, ops };
    if (!this.worker) this.worker = this.spawn();
    this.worker.ref(); // an awaited commit keeps the process alive; an idle store does not
    this.worker.postMessage({ id, calls: ops.map((p) => p.call) });
  }

  private settle(m: BatchReply): void {
    const batch = this.inFlight;
    if (!batch || batch.id !== m.id) return;
    this.inFlight = undefined;
    if (!this.queued.length) this.worker?.unref();
    if ('error' in m) {
      this.onCommit(new Error(m.error));
      for (const p of batch.ops) p.reject(new Error(m.error));
    } else {
      this.stats.transactions++;
      this.stats.operations += batch.ops.length;
      this.onCommit();
      for (let i = 0; i < batch.ops.length; i++) {
        const r: OpResult = m.results[i];
        if ('e' in r) batch.ops[i].reject(opError(r.e));
        else batch.ops[i].resolve(r.v);
      }
    }
    this.send();
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (this.closing) return this.failAll(new Error(`sqlite store ${this.opts.path} is closed`));
    // Whether the batch in flight committed is unknown: its callers get the error.
    const why = new Error(`sqlite store thread stopped: ${err.message}`);
    const batch = this.inFlight;
    this.inFlight = undefined;
    this.onCommit(why);
    if (batch) for (const p of batch.ops) p.reject(why);
    this.send();
  }

  private failAll(err: Error): void {
    const all = [...(this.inFlight?.ops ?? []), ...this.queued];
    this.inFlight = undefined;
    this.queued = [];
    for (const p of all) p.reject(err);
    this.drained?.();
  }

  /** Commits what is queued, then closes the connection and ends the thread. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.inFlight || this.queued.length) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (!this.inFlight && !this.scheduled) this.send();
      });
    }
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.ref();
      w.postMessage('close');
    });
  }
}
