// Builds a canonical event of the configured catalog type from msg fields.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { catalog, contextOf, EventBuildError, EventBuilder, setPath, topicOf } from '../../lib/events';
import { registerCatalogRoute } from '../shared/catalog-route';
import { plantOf } from '../shared/plant';
import { evaluate, Msg, onInput, StatusThrottle } from '../shared/red';

interface Mapping {
  field: string;
  v: string;
  vt: string;
}

interface EventDef extends NodeDef {
  plant: string;
  eventType: string;
  dataFrom: 'fields' | 'payload';
  mappings: Mapping[];
  errorOutput: boolean;
}

// Mapping targets that set envelope attributes rather than data fields.
const SPECIAL = new Set(['$time', '$subject', '$partitionkey']);

export = (RED: NodeAPI) => {
  registerCatalogRoute(RED);

  function MfgEvent(this: Node, config: EventDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const plant = plantOf(RED, config.plant);
    const entry = catalog.get(config.eventType);
    const status = new StatusThrottle(node);
    let built = 0;
    let failed = 0;
    if (!entry) {
      node.status({ fill: 'red', shape: 'ring', text: 'no event type' });
      node.error(`mfg-event: unknown event type "${config.eventType}"`);
    }
    const builder = entry ? new EventBuilder(entry.type) : undefined;
    const mappings = (config.mappings || []).filter((m) => m && m.field);

    async function build(msg: Msg): Promise<void> {
      if (!builder || !entry) throw new Error(`mfg-event: no valid event type configured ("${config.eventType}")`);
      const extra: { time?: unknown; subject?: string; partitionkey?: string } = {};
      let data: Record<string, unknown>;
      if (config.dataFrom === 'payload') {
        if (typeof msg.payload !== 'object' || msg.payload === null || Array.isArray(msg.payload) || Buffer.isBuffer(msg.payload)) {
          throw new Error('mfg-event: msg.payload must be an object holding the event data');
        }
        data = JSON.parse(JSON.stringify(msg.payload));
      } else {
        data = {};
        for (const m of mappings) {
          const value = await evaluate(RED, node, m.v, m.vt, msg);
          if (value === undefined) continue;
          if (SPECIAL.has(m.field)) (extra as Record<string, unknown>)[m.field.slice(1)] = value;
          else setPath(data, m.field, value);
        }
      }
      const ev = builder.build(data, plant, contextOf(msg.payload, msg.correlationId), extra);
      msg.payload = ev;
      msg.topic = topicOf(plant, entry.domain, entry.object, entry.action);
      msg.correlationId = ev.correlationid;
    }

    onInput(node, async (msg, send) => {
      try {
        await build(msg);
        built++;
        status.set(() => ({ fill: 'green', shape: 'dot', text: `${built} built${failed ? `, ${failed} failed` : ''}` }));
        send(config.errorOutput ? [msg, null] : msg);
      } catch (err) {
        // Every failure goes to the error output (when enabled) and to Catch.
        failed++;
        status.set(() => ({ fill: 'red', shape: 'dot', text: `${built} built, ${failed} failed` }));
        if (err instanceof EventBuildError) msg.validationErrors = err.errors;
        if (config.errorOutput) send([null, msg]);
        throw err;
      }
    });
    node.on('close', () => status.stop());
  }
  RED.nodes.registerType('mfg-event', MfgEvent);
};
