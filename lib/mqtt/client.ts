// One MQTT connection to the event backbone, shared by the nodes of an mfg-broker.
// Built on the `mqtt` package: it keeps QoS 1 publishes that are in flight when the link
// drops and sends them again, in order, before anything new after the reconnect.
// Adds: MQTT 5 with fallback to 3.1.1 ("auto"), reconnect with exponential backoff forever,
// a plain state machine (connecting, connected, reconnecting, error, closed) as events,
// and publish as a promise settled by PUBACK (MQTT 5 reason codes classified).
import { EventEmitter } from 'events';
import mqtt, { IClientOptions, IClientPublishOptions, MqttClient, Packet } from 'mqtt';
import { backoffDelay } from '../outbox/policy';
import { PermanentError, RetryableError } from '../outbox/policy';
import { normalizePem } from './pem';
import { HeldAcks } from './held-acks';
import { matches, stripShare } from './topics';

const quiet = (): void => undefined;

export type Protocol = 'auto' | '5' | '3.1.1';
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'error' | 'closed';

export interface BrokerOptions {
  /** mqtt://, mqtts://, ws://, wss:// */
  url: string;
  clientId?: string;
  protocol?: Protocol;
  /** seconds (default 60) */
  keepalive?: number;
  /** false: persistent session (broker keeps subscriptions and queued QoS 1 msgs) */
  cleanSession?: boolean;
  /** MQTT 5 session expiry for persistent sessions, seconds (default 7 days) */
  sessionExpirySec?: number;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** verify the broker certificate (default true) */
  verify?: boolean;
  /** most received QoS 1 msgs held in the flows at once (PUBACK held); reading pauses
   *  beyond it, and MQTT 5 brokers are told it as Receive Maximum (default 65535) */
  maxInFlightIn?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
}

export interface LinkInfo {
  state: LinkState;
  /** negotiated protocol: 5 or 4 (3.1.1), undefined before the first CONNACK */
  version?: 5 | 4;
  detail?: string;
  /** MQTT 5 features the broker offers (false on 3.1.1) */
  userProperties: boolean;
  sharedSubscriptions: boolean;
}

/** ack: present when the subscription holds PUBACKs; call it once the msg is handled. */
export type MessageHandler = (topic: string, payload: Buffer, packet: Packet & { properties?: Record<string, unknown> }, ack?: () => void) => void;

interface Sub {
  filter: string;
  match: string;
  handler: MessageHandler;
  qos: 0 | 1 | 2;
  onError?: (err: Error) => void;
  /** hold the PUBACK until the handler calls ack() */
  manualAck?: boolean;
}

/** The held-ack limit: a whole number from 1 to 65535, else 65535 (the MQTT default). */
export function inFlightLimit(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : 65535;
}

// CONNACK codes that mean "I do not speak this protocol version": 3.1.1 rc 1, MQTT 5 0x84.
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);
// MQTT 5 PUBACK reason codes that will not change on a retry.
const PERMANENT_PUBACK = new Set([0x87, 0x90, 0x95, 0x99]);

export class BackboneClient extends EventEmitter {
  private client?: MqttClient;
  private info: LinkInfo = { state: 'connecting', userProperties: false, sharedSubscriptions: false };
  private failures = 0;
  private readonly subs = new Set<Sub>();
  private readonly acks: HeldAcks;
  private version: 5 | 4;
  private fellBack = false;
  /** QoS 1/2 publishes handed to mqtt.js and not yet acknowledged */
  private unacked = 0;
  private receiveMax = 65535;
  private waiting: Array<{ send: () => void; reject: (e: Error) => void }> = [];

  constructor(readonly opts: BrokerOptions) {
    super();
    if (!/^(mqtts?|wss?):\/\//.test(opts.url)) throw new Error(`broker URL "${opts.url}" must start with mqtt://, mqtts://, ws:// or wss://`);
    this.version = opts.protocol === '3.1.1' ? 4 : 5;
    this.acks = new HeldAcks(inFlightLimit(opts.maxInFlightIn));
    this.on('error', () => undefined); // errors are reported through 'state'
    this.setMaxListeners(0); // every node on this broker listens to 'state'
  }

  get link(): LinkInfo {
    return { ...this.info };
  }

  get connected(): boolean {
    return this.info.state === 'connected';
  }

  connect(): void {
    if (this.client) return;
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: this.version,
      clientId: o.clientId || `mfg-connect-${Math.random().toString(16).slice(2, 10)}`,
      keepalive: o.keepalive ?? 60,
      clean: o.cleanSession !== false,
      reconnectPeriod: o.reconnectInitialMs ?? 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      username: o.username || undefined,
      password: o.password || undefined,
      rejectUnauthorized: o.verify !== false,
      ca: normalizePem(o.ca),
      cert: normalizePem(o.cert),
      key: normalizePem(o.key),
      resubscribe: false, // see subscribe()
      reconnectOnConnackError: true, // bad credentials or a refused version: keep trying, with backoff
      queueQoSZero: false,
    };
    if (this.version === 5) {
      options.properties = { receiveMaximum: this.acks.limit };
      if (o.cleanSession === false) options.properties.sessionExpiryInterval = o.sessionExpirySec ?? 7 * 24 * 3600;
    }
    const c = mqtt.connect(o.url, options);
    // mqtt.js writes dozens of debug lines per msg through client.log. With its debug
    // namespace off each call still allocates its arguments (5 KB per msg through a flow),
    // so the logger is swapped for a no-op unless DEBUG (as `debug` reads it) enables it.
    if (!(c.log as { enabled?: boolean }).enabled) c.log = quiet;
    this.client = c;
    this.acks.attach(c);
    c.on('connect', (connack) => this.onConnect(connack as Packet & { properties?: Record<string, unknown> }));
    c.on('close', () => this.onClose());
    c.on('error', (err) => this.onError(err as Error & { code?: number }));
    c.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet as never));
  }

  /**
   * Publishes and resolves on PUBACK (QoS 1). Rejects at once when not connected. Keeps at
   * most the broker's Receive Maximum (MQTT 5) QoS 1/2 publishes unacknowledged; the rest
   * wait here in order.
   */
  publish(topic: string, payload: Buffer | string, opts: IClientPublishOptions = { qos: 1 }): Promise<void> {
    if (!this.client || !this.connected) return Promise.reject(new RetryableError(`broker not connected (${this.info.state})`));
    if (this.version !== 5 && opts.properties) opts = { ...opts, properties: undefined };
    return new Promise((resolve, reject) => {
      const send = () => this.send(topic, payload, opts, resolve, reject);
      if (!opts.qos || this.unacked < this.receiveMax) send();
      else this.waiting.push({ send, reject });
    });
  }

  private send(topic: string, payload: Buffer | string, opts: IClientPublishOptions, resolve: () => void, reject: (e: Error) => void): void {
    const c = this.client;
    if (!c) return reject(new RetryableError('broker connection closed'));
    const counted = !!opts.qos;
    if (counted) this.unacked++;
    c.publish(topic, payload, opts, (err, packet) => {
      if (counted) {
        this.unacked--;
        const next = this.waiting.shift();
        if (next) next.send();
      }
      const rc = (packet as { reasonCode?: number } | undefined)?.reasonCode;
      if (err) {
        const code = (err as { code?: number }).code ?? rc;
        if (code !== undefined && PERMANENT_PUBACK.has(code)) reject(new PermanentError(`broker refused the msg: ${err.message} (reason 0x${code.toString(16)})`));
        else reject(new RetryableError(`publish failed: ${err.message}`));
      } else resolve();
    });
  }

  /**
   * Subscribes (QoS 1 by default): now if connected, and again on every reconnect (this
   * client, not mqtt.js, owns the subscription list, so a failed attempt loses none).
   * The broker's refusal (SUBACK failure) goes to `onError`. Returns the unsubscribe.
   */
  subscribe(filter: string, handler: MessageHandler, qos: 0 | 1 | 2 = 1, onError?: (err: Error) => void, opts: { manualAck?: boolean } = {}): () => Promise<void> {
    const sub: Sub = { filter, match: stripShare(filter), handler, qos, onError, manualAck: opts.manualAck };
    this.subs.add(sub);
    if (this.client && this.connected) this.sendSubscribe([sub]);
    this.connect();
    return async () => {
      this.subs.delete(sub);
      if ([...this.subs].some((x) => x.filter === filter)) return;
      if (this.client && this.connected) await this.client.unsubscribeAsync(filter).catch(() => undefined);
    };
  }

  private sendSubscribe(subs: Sub[]): void {
    const c = this.client!;
    for (const sub of subs) {
      c.subscribe(sub.filter, { qos: sub.qos }, (err, granted) => {
        const g = granted && granted[0];
        const refused = g && (g.qos === 128 || (typeof g.qos === 'number' && g.qos > 2));
        if (err && /Connection closed|client disconnecting/.test(err.message)) return; // sent again on reconnect
        if (err || refused) {
          const why = err ? err.message : `broker refused the subscription (reason 0x${Number(g!.qos).toString(16)})`;
          const e = new Error(`subscribe to "${sub.filter}" failed: ${why}`);
          if (sub.onError) sub.onError(e);
          else this.emit('error', e);
        }
      });
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.subs.clear();
    this.set('closed');
    if (c) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
    this.removeAllListeners();
  }

  /** PUBACKs held back for msgs not yet handled */
  get heldAcks(): number {
    return this.acks.held;
  }

  /** true while reading waits for held msgs to be handled (the in-flight limit) */
  get readingPaused(): boolean {
    return this.acks.pausedReading;
  }

  private dispatch(topic: string, payload: Buffer, packet: Packet & { properties?: Record<string, unknown> }): void {
    // the first matching subscription, and all of them only when there are several
    let first: Sub | undefined;
    let several: Sub[] | undefined;
    for (const s of this.subs) {
      if (!matches(s.match, topic)) continue;
      if (!first) first = s;
      else (several ??= [first]).push(s);
    }
    if (!first) return;
    const id = (packet as { messageId?: number }).messageId;
    const qos1 = id !== undefined && (packet as { qos?: number }).qos === 1;
    if (!several) {
      // one handler, the usual case: its ack is the release itself (no closure per msg)
      const release = qos1 && first.manualAck ? this.acks.hold(id!) : undefined;
      try {
        first.handler(topic, payload, packet, release);
      } catch (err) {
        this.emit('error', err);
        release?.();
      }
      return;
    }
    const holding = qos1 && several.some((s) => s.manualAck);
    // with overlapping subscriptions the PUBACK goes once every handler is through
    let pending = several.length;
    const release = holding ? this.acks.hold(id!) : undefined;
    const ackOne = () => {
      if (--pending === 0 && release) release();
    };
    for (const s of several) {
      let acked = false;
      const ack = () => {
        if (acked) return;
        acked = true;
        ackOne();
      };
      try {
        s.handler(topic, payload, packet, s.manualAck ? ack : undefined);
      } catch (err) {
        this.emit('error', err);
        ack();
      }
      if (!s.manualAck) ack();
    }
  }

  private onConnect(connack: Packet & { properties?: Record<string, unknown> }): void {
    this.failures = 0;
    this.lastError = undefined;
    const c = this.client!;
    c.options.reconnectPeriod = this.opts.reconnectInitialMs ?? 1000;
    const p = connack.properties || {};
    const v5 = this.version === 5;
    this.receiveMax = v5 && typeof p.receiveMaximum === 'number' && p.receiveMaximum > 0 ? p.receiveMaximum : 65535;
    this.info = {
      state: 'connected', version: this.version,
      detail: this.fellBack ? 'broker speaks MQTT 3.1.1 only' : undefined,
      userProperties: v5,
      sharedSubscriptions: v5 && p.sharedSubscriptionAvailable !== false,
    };
    this.emit('state', this.link);
    if (this.subs.size) this.sendSubscribe([...new Map([...this.subs].map((x) => [x.filter, x] as const)).values()]);
  }

  private lastError?: string;

  private onError(err: Error & { code?: number }): void {
    if (this.opts.protocol !== '5' && this.opts.protocol !== '3.1.1' && this.version === 5 && err.code !== undefined && UNSUPPORTED_PROTOCOL.has(err.code)) {
      // "auto": the broker refused MQTT 5; the next (immediate) attempt speaks 3.1.1.
      this.version = 4;
      this.fellBack = true;
      const c = this.client!;
      c.options.protocolVersion = 4;
      delete c.options.properties;
      this.failures = 0;
      return;
    }
    // A CONNACK refusal (bad credentials, not authorised) is an error until it changes;
    // a transport error (refused, reset, timeout) is a reason to keep reconnecting.
    if (typeof err.code === 'number') this.set('error', err.message);
    else this.lastError = err.message;
  }

  private onClose(): void {
    const c = this.client;
    if (!c) return;
    this.acks.reset();
    // Publishes still waiting for a slot never reached the broker: the caller retries them
    // (after those mqtt.js resends on reconnect, so the order holds).
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.reject(new RetryableError('broker connection lost'));
    this.failures++;
    if (this.info.state !== 'error') this.set('reconnecting', this.lastError);
    this.lastError = undefined;
    // Backoff: replace mqtt.js's fixed reconnect interval with a growing one.
    const delay = this.fellBack && this.failures <= 1 ? 10 : backoffDelay(this.failures, {
      initialMs: this.opts.reconnectInitialMs ?? 1000, maxMs: this.opts.reconnectMaxMs ?? 30_000, factor: 2, jitter: 0.3,
    });
    const internal = c as unknown as { reconnectTimer: NodeJS.Timeout | null; _setupReconnect(): void };
    if (internal.reconnectTimer) {
      clearInterval(internal.reconnectTimer);
      internal.reconnectTimer = null;
      c.options.reconnectPeriod = Math.max(10, delay);
      internal._setupReconnect();
    }
  }

  private set(state: LinkState, detail?: string): void {
    this.info = { ...this.info, state, detail };
    this.emit('state', this.link);
  }
}
