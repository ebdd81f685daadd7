// Publishes canonical events to the MQTT backbone through the durable outbox: a msg is
// persisted before done(), sent QoS 1 in order per partition key, and deleted on PUBACK.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { isCloudEvent, stampRecorded } from '../../lib/events';
import { eventProperties, LinkInfo, topicOfType, UserPropertiesMode } from '../../lib/mqtt';
import { describeStored, splitItem, Stored, storedRecord, withRecordedTime } from './stored';
import { ItemInfo, Outbox, OutboxState, QueueFullError } from '../../lib/outbox';
import type { QueueItem, StateStore } from '../../lib/store/types';
import { observe } from '../../lib/observability';
import { linkStatus } from '../mfg-broker/link-status';
import type { BrokerNode } from '../mfg-broker/types';
import { plantOf } from '../shared/plant';
import { onInput, StatusThrottle } from '../shared/red';
import { acquireStore, releaseStore } from '../shared/store';

interface PublishDef extends NodeDef {
  broker: string;
  plant: string;
  store: string;
  topicFrom: 'event' | 'msg' | 'fixed';
  topic: string;
  retain: boolean;
  limit: number | string;
  maxAttempts: number | string;
  maxAgeHours: number | string;
  rate: number | string;
  userProperties: UserPropertiesMode;
}

export = (RED: NodeAPI) => {
  function MfgPublish(this: Node, config: PublishDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const broker = RED.nodes.getNode(config.broker) as BrokerNode | null;
    const plant = plantOf(RED, config.plant);
    const status = new StatusThrottle(node, 250);
    const propsMode: UserPropertiesMode = config.userProperties === 'required' || config.userProperties === 'none' ? config.userProperties : 'all';
    let link: LinkInfo | undefined = broker?.publishClient.link;
    let ob: OutboxState | undefined;
    let store: StateStore | undefined;
    let outbox: Outbox | undefined;
    let closing = false;

    const render = () => {
      if (ob?.full) return { fill: 'red', shape: 'dot', text: `outbox full: ${ob.depth} buffered, refusing new msgs` };
      const extra = [ob ? `${ob.depth} buffered` : 'store…', ob?.breaker === 'open' ? 'breaker open' : ''].filter(Boolean).join(', ');
      return linkStatus(link, extra);
    };
    const show = () => status.set(render);
    show();
    if (!broker) node.error('mfg-publish: no mfg-broker configured');

    const deliver = (item: QueueItem, ctx: { buffered: boolean }): Promise<void> => {
      const client = broker!.publishClient;
      const v5 = client.link.version === 5;
      // Sent as stored unless the attributes are wanted as MQTT 5 user properties.
      const split = !v5 || propsMode === 'none' ? splitItem(item) : undefined;
      if (split) {
        const body = ctx.buffered && !split.head.rt ? withRecordedTime(split.event, item.createdAt) : split.event;
        return client.publish(split.head.topic, body, { qos: 1, retain: !!split.head.retain, properties: v5 ? eventProperties({}, 'none') : undefined });
      }
      const s = item.payload as Stored;
      const ev = ctx.buffered ? stampRecorded({ ...s.payload }, item.createdAt) : s.payload;
      return client.publish(s.topic, JSON.stringify(ev), { qos: 1, retain: !!s.retain, properties: v5 ? eventProperties(ev, propsMode) : undefined });
    };

    const ready = (async () => {
      store = await acquireStore(RED, config.store || undefined);
      if (closing) return;
      outbox = new Outbox({
        queue: `mfg-publish:${node.id}`,
        store,
        deliver,
        limit: Number(config.limit) || 100_000,
        maxAttempts: config.maxAttempts === '' || config.maxAttempts === undefined ? 0 : Number(config.maxAttempts),
        maxAgeMs: (Number(config.maxAgeHours) || 0) * 3600_000,
        ratePerSec: Number(config.rate) || 0,
        // MQTT keeps order on one connection, so a partition's msgs may be in flight together:
        // the PUBACK round trip (slow while the same connection brings in a flood) then
        // does not cap a partition's throughput. A failed publish goes back to the head.
        maxInFlight: 1024,
        pipeline: true,
        breaker: { failureThreshold: 0 }, // a lost link pauses the outbox; PUBACK errors are per msg
        describe: describeStored,
      });
      outbox.on('state', (s: OutboxState) => { ob = s; show(); });
      outbox.on('dead', (item: QueueItem, reason: string, info: ItemInfo) => {
        observe.message(node.id, 'mfg-publish', info.eventType, 'dead-lettered');
        node.warn(`mfg-publish: event ${(item.payload as Stored).payload?.id} moved to the dead letters: ${reason}`);
      });
      outbox.on('delivered', (_item: QueueItem, info: ItemInfo) => observe.message(node.id, 'mfg-publish', info.eventType, 'out'));
      outbox.on('error', (err: Error) => node.warn(`mfg-publish: ${err.message}`));
      if (!broker || broker.publishClient.link.state !== 'connected') outbox.pause('broker not connected');
      await outbox.start();
      ob = outbox.state();
      show();
    })();
    ready.catch((err) => {
      node.status({ fill: 'red', shape: 'ring', text: `store: ${err.message}` });
      node.error(`mfg-publish: cannot open the outbox store: ${err.message}`);
    });

    const unuse = broker?.usePublish((l) => {
      link = l;
      if (outbox) {
        if (l.state === 'connected') outbox.resume();
        else outbox.pause(`broker ${l.state}`);
      }
      show();
    });

    onInput(node, async (msg) => {
      let ev = msg.payload as unknown;
      if (typeof ev === 'string' || Buffer.isBuffer(ev)) {
        try {
          ev = JSON.parse(ev.toString());
        } catch (err) {
          throw new Error(`mfg-publish: msg.payload is not JSON: ${(err as Error).message}`);
        }
      }
      if (!isCloudEvent(ev) || typeof ev.type !== 'string') throw new Error('mfg-publish: msg.payload must be a CloudEvent (specversion "1.0", id, type); build one with mfg-event');
      let topic: string;
      if (config.topicFrom === 'msg') topic = String(msg.topic || '');
      else if (config.topicFrom === 'fixed') topic = config.topic;
      else topic = topicOfType(plant, ev.type);
      if (!topic || /[#+]/.test(topic)) throw new Error(`mfg-publish: "${topic}" is not a topic to publish to`);
      await ready;
      if (!outbox) throw new Error('mfg-publish: the outbox store is not available');
      try {
        const retain = !!config.retain;
        const rec = storedRecord(topic, ev, retain);
        await outbox.add({ topic, payload: ev, retain: retain || undefined } as Stored, undefined, rec.text, rec.split);
        observe.message(node.id, 'mfg-publish', ev.type, 'in');
      } catch (err) {
        observe.message(node.id, 'mfg-publish', ev.type, 'error');
        if (err instanceof QueueFullError) {
          ob = outbox.state();
          show();
        }
        throw err;
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      status.stop();
      if (unuse) unuse();
      ready
        .catch(() => undefined)
        .then(() => outbox?.close())
        .then(() => store && releaseStore(store))
        .catch((err) => node.warn(`mfg-publish: close: ${err.message}`))
        .then(() => done());
    });
  }
  RED.nodes.registerType('mfg-publish', MfgPublish);
};
