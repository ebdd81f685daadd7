// AsyncAPI 3.0 document of the event backbone as deployed: one channel per topic that an
// mfg-publish sends to or an mfg-subscribe listens on, messages per event type whose
// payload is the CloudEvents envelope with the catalog's JSON Schema as `data`.
import { catalog } from '../events/catalog';
import { envelopeSchema } from '../validation/envelope-schema';
import { eventTypesByNode, NodeConfig, plantLevels, subscriptionFilters, typesForFilter } from './usage';

type Obj = Record<string, unknown>;

export interface AsyncApiOptions {
  title?: string;
  version?: string;
}

const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

const safeId = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';

/** JSON Schema for AsyncAPI: draft-07 compatible, without $schema/$id. */
function portable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(portable);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema as Obj)) {
    if (k === '$schema' || k === '$id') continue;
    out[k] = portable(v);
  }
  return out;
}

/** MQTT topic (filter) to an AsyncAPI address with parameters for wildcards and ${ENV}. */
export function addressOf(topic: string): { address: string; parameters: Obj } {
  const parameters: Obj = {};
  const segs = topic.split('/').map((s, i) => {
    if (s === '+') return param(`level${i + 1}`, 'any value of this topic level (MQTT +)');
    if (s === '#') return param('rest', 'the remaining topic levels (MQTT #)');
    return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g, (_m, name: string) => param(name, `from environment variable ${name}`));
  });
  function param(name: string, description: string): string {
    parameters[name] = { description };
    return `{${name}}`;
  }
  return { address: segs.join('/'), parameters };
}


function brokerOf(n: NodeConfig, byId: Map<string, NodeConfig>): NodeConfig | undefined {
  for (const v of Object.values(n)) if (typeof v === 'string' && byId.get(v)?.type === 'mfg-broker') return byId.get(v);
  return undefined;
}

function server(b: NodeConfig): Obj {
  const raw = String(b.url || b.broker || 'mqtt://localhost:1883');
  let host = raw;
  let protocol = 'mqtt';
  try {
    const u = new URL(raw.includes('://') ? raw : `mqtt://${raw}`);
    host = u.port ? `${u.hostname}:${u.port}` : u.hostname;
    protocol = u.protocol.replace(':', '') || 'mqtt';
  } catch {
    // keep the configured text as host
  }
  const pv = String(b.protocolVersion ?? b.protocol ?? '');
  const s: Obj = { host, protocol, description: b.name ? String(b.name) : `MQTT broker ${b.id}` };
  if (pv === '5' || pv === '4' || pv === '3.1.1') s.protocolVersion = pv === '4' ? '3.1.1' : pv;
  return s;
}

export function generateAsyncApi(nodes: NodeConfig[], observed?: Map<string, Set<string>>, o: AsyncApiOptions = {}): Obj {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const typesByNode = eventTypesByNode(nodes, observed);
  const servers: Obj = {};
  const channels: Record<string, Obj> = {};
  const operations: Obj = {};
  const messages: Obj = {};
  const schemas: Obj = { CloudEvent: { ...(portable(envelopeSchema) as Obj), description: 'CloudEvents 1.0 structured mode with the mfg-connect extension attributes' } };

  const messageFor = (type: string): string | undefined => {
    const e = catalog.get(type);
    if (!e) return undefined;
    const id = safeId(type);
    if (!messages[id]) {
      schemas[id] = {
        title: e.title,
        description: e.description,
        allOf: [{ $ref: '#/components/schemas/CloudEvent' }, { type: 'object', required: ['data'], properties: { type: { const: e.type }, dataschema: { const: e.dataschema }, data: portable(e.schema) } }],
      };
      messages[id] = {
        name: e.type, title: e.title, summary: e.description, contentType: 'application/cloudevents+json',
        payload: { schemaFormat: SCHEMA_FORMAT, schema: { $ref: `#/components/schemas/${id}` } },
        'x-owner': e.owner, 'x-isa95': e.isa95,
      };
    }
    return id;
  };

  const addOp = (n: NodeConfig, action: 'send' | 'receive', topic: string, types: string[]) => {
    const { address, parameters } = addressOf(topic);
    const chId = safeId(address.replace(/[{}]/g, ''));
    const ch = (channels[chId] ??= { address, messages: {} as Obj, description: `MQTT topic ${topic}` });
    if (Object.keys(parameters).length) ch.parameters = { ...((ch.parameters as Obj) || {}), ...parameters };
    const b = brokerOf(n, byId);
    if (b) {
      const sid = safeId(b.id);
      servers[sid] ??= server(b);
      const refs = ((ch.servers as Obj[]) ??= []);
      if (!refs.some((r) => r.$ref === `#/servers/${sid}`)) refs.push({ $ref: `#/servers/${sid}` });
    }
    const msgRefs: Obj[] = [];
    for (const t of types) {
      const mid = messageFor(t);
      if (!mid) continue;
      (ch.messages as Obj)[mid] = { $ref: `#/components/messages/${mid}` };
      msgRefs.push({ $ref: `#/channels/${chId}/messages/${mid}` });
    }
    operations[safeId(`${action}-${n.id}-${chId}`)] = {
      action, channel: { $ref: `#/channels/${chId}` }, messages: msgRefs,
      summary: `${n.type} ${n.name || n.id} ${action === 'send' ? 'publishes to' : 'subscribes to'} ${topic}`,
    };
  };

  for (const n of nodes) {
    const types = [...(typesByNode.get(n.id)?.keys() ?? [])].filter((t) => catalog.get(t)).sort();
    if (n.type === 'mfg-publish') {
      const topic = typeof n.topic === 'string' ? n.topic.trim() : '';
      if (topic && (n.topicFrom === 'fixed' || n.topicFrom === undefined)) addOp(n, 'send', topic, types);
      else {
        // topic from the event type and the publisher's plant: one channel per type
        const p = plantLevels(n, byId);
        for (const t of types) {
          const e = catalog.get(t)!;
          addOp(n, 'send', `${p.enterprise}/${p.site}/${p.area}/${p.line}/events/${e.domain}/${e.object}/${e.action}`, [t]);
        }
      }
    } else if (n.type === 'mfg-subscribe') {
      for (const f of subscriptionFilters(n, byId)) {
        const covered = typesForFilter(f);
        addOp(n, 'receive', f, [...new Set([...types.filter((t) => covered.includes(t)), ...covered])].sort());
      }
    }
  }
  const doc: Obj = {
    asyncapi: '3.0.0',
    info: {
      title: o.title || 'mfg-connect event backbone',
      version: o.version || '1.0.0',
      description: 'Business events of the deployed Node-RED flows on the MQTT backbone. Each message is a CloudEvent (structured JSON mode) whose data follows the catalog schema of its type.',
    },
    defaultContentType: 'application/cloudevents+json',
    channels, operations,
    components: { messages, schemas },
  };
  if (Object.keys(servers).length) doc.servers = servers;
  return doc;
}
