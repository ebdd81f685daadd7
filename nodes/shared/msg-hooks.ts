// The package's one set of Node-RED message hooks. Every hook point that has a hook
// costs every msg of every flow a pass through the runtime's hook stack, so the
// package's listeners (message completion, the monitor's trace and metrics) share one
// hook per point, and a point no listener needs has none.
import type { NodeAPI } from 'node-red';

export type HookPoint = 'onSend' | 'preDeliver' | 'onReceive' | 'onComplete';
const POINTS: HookPoint[] = ['onSend', 'preDeliver', 'onReceive', 'onComplete'];
const LABEL = 'mfgConnect';

/** What a listener is told at each point: the runtime's event object as it is. */
export type MsgListener = Partial<Record<HookPoint, (ev: any) => void>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Hooks = { add(id: string, fn: (ev: never) => void): void; remove?(id: string): void };

interface Handler {
  name: string;
  fn: (ev: unknown) => void;
}

interface State {
  hooks: Hooks;
  warn: (text: string) => void;
  listeners: Map<string, MsgListener>;
  handlers: Record<HookPoint, Handler[]>;
  added: Set<HookPoint>;
  failed: Set<string>;
}

let state: State | undefined;

/** RED.hooks, or (where a host leaves it out of the node API) the runtime's own module. */
function hooksOf(RED: NodeAPI): Hooks | undefined {
  const h = (RED as unknown as { hooks?: Hooks }).hooks;
  if (h) return h;
  try {
    const nr = require.resolve('node-red', { paths: [process.cwd(), __dirname] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('@node-red/util', { paths: [nr] })).hooks as Hooks;
  } catch {
    return undefined;
  }
}

function dispatch(s: State, point: HookPoint): (ev: never) => void {
  // one argument and no return value: the runtime treats the hook as synchronous and
  // never stops a msg because of it
  return (ev: never) => {
    const list = s.handlers[point];
    for (let i = 0; i < list.length; i++) {
      try {
        list[i].fn(ev);
      } catch (err) {
        // a listener's failure never breaks delivery: logged once per listener
        if (!s.failed.has(list[i].name)) {
          s.failed.add(list[i].name);
          s.warn(`mfg-connect: message hook of ${list[i].name} failed: ${(err as Error).message}`);
        }
      }
    }
  };
}

function sync(s: State): void {
  for (const p of POINTS) {
    const list: Handler[] = [];
    for (const [name, l] of s.listeners) {
      const fn = l[p];
      if (fn) list.push({ name, fn });
    }
    s.handlers[p] = list;
    if (list.length && !s.added.has(p)) {
      s.hooks.add(`${p}.${LABEL}`, dispatch(s, p));
      s.added.add(p);
    } else if (!list.length && s.added.has(p) && s.hooks.remove) {
      s.hooks.remove(`${p}.${LABEL}`);
      s.added.delete(p);
    }
  }
}

/**
 * Sets the listener `name` (replacing an earlier one of that name), or removes it when
 * `listener` is undefined. False when the runtime has no message hooks.
 */
export function listen(RED: NodeAPI, name: string, listener: MsgListener | undefined): boolean {
  const hooks = hooksOf(RED);
  if (!hooks) return false;
  if (!state || state.hooks !== hooks) {
    state = {
      hooks, warn: (t) => RED.log.warn(t), listeners: new Map(), added: new Set(), failed: new Set(),
      handlers: { onSend: [], preDeliver: [], onReceive: [], onComplete: [] },
    };
  }
  if (listener) state.listeners.set(name, listener);
  else state.listeners.delete(name);
  state.failed.delete(name);
  sync(state);
  return true;
}
