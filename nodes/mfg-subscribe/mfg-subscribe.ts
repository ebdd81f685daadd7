// Subscribes to canonical events on the MQTT backbone (by event type patterns or a topic
// filter, optionally as a shared subscription group) and outputs events / invalid msgs.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { checkFilter, EventReceiver, filterOfPattern, LinkInfo, shared } from '../../lib/mqtt';
import { observe } from '../../lib/observability';
import { linkStatus } from '../mfg-broker/link-status';
import type { BrokerNode } from '../mfg-broker/types';
import { plantOf } from '../shared/plant';
import { whenHandled } from '../shared/completion';
import { StatusThrottle } from '../shared/red';
import { msgId } from '../shared/msgid';

interface SubscribeDef extends NodeDef {
  broker: string;
  plant: string;
  mode: 'types' | 'topic';
  types: string;
  topic: string;
  group: string;
  qos: number | string;
  ack?: 'handled' | 'received';
  ackTimeout?: number | string;
}

export = (RED: NodeAPI) => {
  function MfgSubscribe(this: Node, config: SubscribeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const broker = RED.nodes.getNode(config.broker) as BrokerNode | null;
    const status = new StatusThrottle(node, 250);
    const receiver = new EventReceiver();
    const group = (config.group || '').trim();
    const qos = (Number(config.qos) === 0 ? 0 : 1) as 0 | 1;
    // 'handled': PUBACK once the flow is through with the msg (redelivered after a crash);
    // 'received': PUBACK on arrival (faster, but msgs in the flow die with the process).
    const ackWhenHandled = config.ack !== 'received';
    const ackTimeoutMs = (Number(config.ackTimeout) > 0 ? Number(config.ackTimeout) : 60) * 1000;
    let ackTimeouts = 0;
    let link: LinkInfo | undefined = broker?.client.link;
    let received = 0;
    let invalid = 0;
    let problem = '';
    const unsubs: Array<() => Promise<void>> = [];

    let filters: string[] = [];
    try {
      if (config.mode === 'topic') filters = [(config.topic || '').trim()];
      else {
        const plant = plantOf(RED, config.plant);
        const patterns = (config.types || 'mfg.*').split(/[\s,]+/).filter(Boolean);
        filters = [...new Set(patterns.map((p) => filterOfPattern(plant, p)))];
      }
      for (const f of filters) {
        const why = checkFilter(f);
        if (why) throw new Error(why);
      }
      filters = filters.map((f) => shared(group || undefined, f));
    } catch (err) {
      problem = (err as Error).message;
      filters = [];
      node.error(`mfg-subscribe: ${problem}`);
    }

    const render = () => {
      if (problem) return { fill: 'red', shape: 'ring', text: problem.slice(0, 40) };
      if (group && link?.state === 'connected' && !link.sharedSubscriptions) {
        return { fill: 'yellow', shape: 'dot', text: 'shared subscription needs MQTT 5 (broker on 3.1.1)' };
      }
      return linkStatus(link, `${received} in${invalid ? `, ${invalid} invalid` : ''}${ackTimeouts ? `, ${ackTimeouts} ack timeouts` : ''}`);
    };
    const show = () => status.set(render);
    if (!broker) problem = 'no mfg-broker configured';
    show();

    // one function for every msg: the msg's own PUBACK comes as the argument
    const acknowledge = (timedOut: boolean, ack: () => void) => {
      if (timedOut) ackTimeouts++;
      ack();
    };
    const onMessage = (topic: string, payload: Buffer, packet: { qos?: number; retain?: boolean; properties?: Record<string, unknown> }, ack?: () => void) => {
      const r = receiver.receive(payload);
      const _msgid = msgId();
      if (ack) whenHandled(RED, _msgid, ackTimeoutMs, acknowledge, ack);
      const mqtt = { qos: packet.qos, retain: packet.retain, userProperties: packet.properties?.userProperties, contentType: packet.properties?.contentType };
      if (r.ok) {
        received++;
        observe.message(node.id, 'mfg-subscribe', r.event.type as string, 'in');
        node.send([{ _msgid, topic, payload: r.event, correlationId: r.event.correlationid || r.event.id, mqtt } as never, null]);
      } else {
        invalid++;
        observe.message(node.id, 'mfg-subscribe', undefined, 'invalid');
        node.send([null, { _msgid, topic, payload: r.raw, reason: r.reason, validationErrors: r.errors, mqtt } as never]);
      }
      show();
    };

    const unuse = broker?.use((l) => {
      link = l;
      show();
    });
    if (broker && filters.length) {
      const refused = (err: Error) => {
        problem = err.message;
        node.error(`mfg-subscribe: ${err.message}`);
        show();
      };
      for (const f of filters) unsubs.push(broker.client.subscribe(f, onMessage, qos, refused, { manualAck: ackWhenHandled }));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      status.stop();
      if (unuse) unuse();
      Promise.all(unsubs.map((off) => off())).then(() => done(), () => done());
    });
  }
  RED.nodes.registerType('mfg-subscribe', MfgSubscribe);
};
