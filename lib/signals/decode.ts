// Turns the msgs of OPC UA and MQTT sources into plain samples {id, value, time, good}.
// Shapes (node-red-contrib-opcua OpcUa-Client): read / subscribe / monitor put the value
// in msg.payload with msg.statusCode, msg.sourceTimestamp, msg.serverTimestamp beside it;
// subscribe "multiple" puts a whole DataValue in msg.payload; readmultiple "ALL" and its
// third output put an array of DataValues in msg.payload with the node ids in msg.items
// or msg.topic. MQTT in: a JSON object {value, timestamp, quality} or a plain value, or
// an object of several named values (each becomes <topic>/<name>).

export interface Sample {
  id: string;
  value: unknown;
  /** epoch ms (source time when known) */
  time: number;
  /** false when the source said the value is bad or uncertain */
  good: boolean;
  /** set when the time could not be read */
  badTime?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** An OPC UA Variant, live or JSON-cloned: {dataType, value} (arrayType optional). */
function isVariant(x: unknown): x is Obj {
  return isObj(x) && 'dataType' in x && 'value' in x;
}

/** A DataValue, live or JSON-cloned. */
function isDataValue(x: unknown): x is Obj {
  return isObj(x) && 'value' in x && ('statusCode' in x || 'sourceTimestamp' in x || 'serverTimestamp' in x || isVariant(x.value));
}

/** OPC UA status: StatusCode object, {value}, number, or name such as "Good" / "BadNodeIdUnknown". */
export function statusGood(s: unknown): boolean {
  if (s === undefined || s === null) return true;
  if (typeof s === 'number') return (s & 0xc0000000) === 0;
  if (typeof s === 'string') {
    const t = s.trim();
    if (/^(0x)?[0-9a-f]+$/i.test(t) && /\d/.test(t)) return statusGood(Number(t));
    return /^good/i.test(t);
  }
  if (isObj(s)) {
    const v = typeof s.value === 'number' ? s.value : typeof s._value === 'number' ? s._value : undefined;
    if (v !== undefined) return statusGood(v >>> 0);
    if (typeof s.name === 'string') return statusGood(s.name);
  }
  return false;
}

/** Epoch ms from a Date, number, ISO string or {value: ...}; NaN when unreadable. */
export function timeOf(t: unknown): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return Date.parse(t);
  return NaN;
}

/** NodeId, live (toString) or JSON-cloned {namespace, identifierType, value}. */
export function nodeIdString(n: unknown): string | undefined {
  if (typeof n === 'string') return n;
  if (isObj(n)) {
    if ('nodeId' in n) return nodeIdString(n.nodeId);
    if ('identifierType' in n && 'value' in n) {
      const kinds: Record<string, string> = { 1: 'i', 2: 's', 3: 'g', 4: 'b', Numeric: 'i', String: 's', Guid: 'g', ByteString: 'b' };
      const k = kinds[String(n.identifierType)] ?? 's';
      const ns = Number(n.namespace) || 0;
      return `${ns ? `ns=${ns};` : ''}${k}=${String(n.value)}`;
    }
    const s = (n as { toString(): string }).toString();
    if (s && s !== '[object Object]') return s;
  }
  return undefined;
}

/** A topic of node-red-contrib-opcua may carry ";datatype=Int32" after the node id. */
export function signalId(topic: string): string {
  const i = topic.indexOf(';datatype=');
  return (i > 0 ? topic.slice(0, i) : topic).trim();
}

function fromDataValue(id: string, dv: Obj, now: number): Sample {
  const value = isVariant(dv.value) ? dv.value.value : dv.value;
  const raw = dv.sourceTimestamp ?? dv.serverTimestamp;
  const time = raw === undefined || raw === null ? now : timeOf(raw);
  return { id, value, time, good: statusGood(dv.statusCode), badTime: Number.isNaN(time) || undefined };
}

const VALUE_KEYS = ['value', 'v', 'val'];
const TIME_KEYS = ['timestamp', 'sourceTimestamp', 'ts', 'time'];
const QUALITY_KEYS = ['quality', 'statusCode', 'status'];

function pick(o: Obj, keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
}

/** The samples of one msg; an empty list when there is no usable signal id. */
export function decode(msg: Obj, now = Date.now()): Sample[] {
  let p = msg.payload;
  if (Buffer.isBuffer(p)) p = p.toString('utf8');
  if (typeof p === 'string' && /^\s*\{/.test(p)) {
    try {
      p = JSON.parse(p);
    } catch {
      // not JSON: the text is the value
    }
  }
  if (p !== msg.payload) msg = { ...msg, payload: p };
  // readmultiple: an array of DataValues with the node ids beside it
  if (Array.isArray(p)) {
    const ids = Array.isArray(msg.items) ? msg.items : Array.isArray(msg.topic) ? msg.topic : undefined;
    if (!ids) return typeof msg.topic === 'string' ? [scalar(signalId(msg.topic), msg, now)] : [];
    const out: Sample[] = [];
    p.forEach((dv, i) => {
      const id = nodeIdString(ids[i]);
      if (id && isObj(dv)) out.push(fromDataValue(signalId(id), dv, now));
    });
    return out;
  }
  if (typeof msg.topic !== 'string' || !msg.topic) return [];
  const id = signalId(msg.topic);
  if (isDataValue(p)) return [fromDataValue(id, p, now)];
  if (isObj(p)) {
    const v = pick(p, VALUE_KEYS);
    if (v !== undefined) {
      const raw = pick(p, TIME_KEYS);
      const time = raw === undefined ? now : timeOf(raw);
      const q = pick(p, QUALITY_KEYS);
      return [{ id, value: v, time, good: statusGood(q), badTime: Number.isNaN(time) || undefined }];
    }
    // a gateway object of named values: {"GoodCount": 12, "State": "RUNNING"}
    const raw = pick(p, TIME_KEYS);
    const time = raw === undefined ? now : timeOf(raw);
    return Object.entries(p)
      .filter(([k]) => !TIME_KEYS.includes(k) && !QUALITY_KEYS.includes(k))
      .map(([k, v]) => ({ id: `${id}/${k}`, value: v, time, good: statusGood(pick(p, QUALITY_KEYS)), badTime: Number.isNaN(time) || undefined }));
  }
  return [scalar(id, msg, now)];
}

function scalar(id: string, msg: Obj, now: number): Sample {
  const raw = msg.sourceTimestamp ?? msg.serverTimestamp ?? msg.timestamp;
  const time = raw === undefined || raw === null ? now : timeOf(raw);
  return { id, value: msg.payload, time, good: statusGood(msg.statusCode), badTime: Number.isNaN(time) || undefined };
}
