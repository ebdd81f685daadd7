// Node-RED flows wiring the plant simulator's signals into mfg-signal: OPC UA through
// node-red-contrib-opcua's OpcUa-Client, or MQTT in. Used by tests, benchmarks and the
// example flows.
import { DEMO, SIGNALS } from './scenario';
import { plantRules } from './rules';

export interface FlowOptions {
  tab?: string;
  endpointUrl?: string;
  mqttUrl?: string;
  line?: string;
  /** sampling / publishing interval of the OPC UA subscription in ms */
  intervalMs?: number;
  minStopSec?: number;
  everyUnits?: number;
  /** id of the node the events go to (a helper or debug node) */
  sink?: string;
  store?: string;
}

type N = Record<string, unknown>;

/**
 * Function node code: subscribe requests pass on and are remembered; the OpcUa-Client's
 * connection status (its second output) re-sends them once it is connected again after a loss.
 * A msg whose payload is a list of node ids becomes one subscribe msg per node id.
 */
export const RESUBSCRIBE = [
  'if (msg.status === undefined) {',
  "    const list = msg.topic === 'multiple' || !Array.isArray(msg.payload) ? [msg] : msg.payload.map((topic) => ({ topic, payload: '' }));",
  "    context.set('subs', list);",
  '    return [list];',
  '}',
  "if (/^(reconnect|terminated|disconnected|error|invalid session)/.test(String(msg.status))) context.set('lost', true);",
  "if (msg.status === 'connected' && context.get('lost')) {",
  "    context.set('lost', false);",
  "    const list = context.get('subs') || [];",
  "    node.status({ fill: 'yellow', shape: 'dot', text: 're-subscribed after a reconnect' });",
  '    // the session is re-activated just after the connection: give it a moment',
  '    setTimeout(() => node.send([list.map((m) => RED.util.cloneMessage(m))]), 2000);',
  '}',
  'return null;',
].join('\n');

/**
 * OPC UA: machine M1 through one "multiple" subscription (a DataValue per msg), machine M2
 * through one subscription per node id (value, statusCode and timestamps beside it).
 */
export function opcuaFlow(o: FlowOptions = {}): N[] {
  const z = o.tab ?? 'plant-tab';
  const line = o.line ?? 'L1';
  const ms = o.intervalMs ?? 50;
  const id = (m: string, s: string) => `ns=1;s=${line}.${m}.${s}`;
  const m1 = DEMO.machines[0].machine;
  const m2 = DEMO.machines[1].machine;
  const client = (cid: string, name: string, keep: string) => ({
    id: cid, type: 'OpcUa-Client', z, name, endpoint: 'plant-ep', action: 'subscribe', time: ms, timeUnit: 'ms',
    deadbandtype: 'a', deadbandvalue: 0, certificate: 'n', localfile: '', localkeyfile: '', securitymode: 'None', securitypolicy: 'None',
    useTransport: false, maxChunkCount: 1, maxMessageSize: 8192, receiveBufferSize: 8192, sendBufferSize: 8192,
    setstatusandtime: false, keepsessionalive: false, wires: [['plant-signal'], [keep], []],
  });
  const keep = (kid: string, name: string, cid: string) => ({ id: kid, type: 'function', z, name, func: RESUBSCRIBE, outputs: 1, wires: [[cid]] });
  return [
    { id: z, type: 'tab', label: 'Plant signals (OPC UA)' },
    {
      id: 'plant-note', type: 'comment', z, name: 'OPC UA signals -> mfg-signal -> business events',
      info: 'The plant simulator (node dist/sim/plant/server.js) serves two machines on line L1. One OpcUa-Client subscribes to all signals of M1 with topic "multiple" (a DataValue per msg), another subscribes to each signal of M2 (value with statusCode and timestamps). mfg-signal turns counters, machine state and vibration into quantity.confirmed, scrap.posted, downtime.classified, capacity.restored and predictive-alert.raised events.\n\nReconnect: OpcUa-Client reconnects by itself (first retry after 5 s) and node-opcua re-creates subscriptions of single node ids; a "multiple" group does not always come back after the server restarted, so subscribe per node id where every part counts (as for M2). The "subscriptions" function nodes remember the subscribe requests and, when the client reports "connected" on its second output after a "reconnect", send them again. Items still monitored are skipped by the client or deliver a duplicate, which mfg-signal ignores (same source timestamp, same value). The first values after the reconnect carry their source timestamps, so a stop that ended during the outage still ends at its true time, and counters carry the parts made meanwhile; mfg-signal keeps the last confirmed counter value in the store, so nothing is counted twice.',
    },
    { id: 'plant-ep', type: 'OpcUa-Endpoint', endpoint: o.endpointUrl ?? 'opc.tcp://127.0.0.1:4840', secpol: 'None', secmode: 'None', none: true, login: false, usercert: false, usercertificate: '', userprivatekey: '' },
    {
      id: 'plant-sub-m1', type: 'inject', z, name: `subscribe ${m1}`, topic: 'multiple', once: true, onceDelay: 0.5, repeat: '',
      props: [{ p: 'topic', vt: 'str' }, { p: 'payload' }], payloadType: 'json',
      payload: JSON.stringify(SIGNALS.map((s) => ({ nodeId: id(m1, s) }))), wires: [['plant-keep-m1']],
    },
    keep('plant-keep-m1', `subscriptions ${m1}`, 'plant-client-m1'),
    client('plant-client-m1', `OPC UA ${m1}`, 'plant-keep-m1'),
    {
      id: 'plant-sub-m2', type: 'inject', z, name: `subscribe each ${m2} signal`, once: true, onceDelay: 0.5, repeat: '',
      props: [{ p: 'payload' }], payloadType: 'json', payload: JSON.stringify(SIGNALS.map((s) => id(m2, s))), wires: [['plant-keep-m2']],
    },
    keep('plant-keep-m2', `subscriptions ${m2}`, 'plant-client-m2'),
    client('plant-client-m2', `OPC UA ${m2}`, 'plant-keep-m2'),
    ...signalNode(z, plantRules({ line, everyUnits: o.everyUnits }), o),
  ];
}

/** MQTT: the same signals as JSON telemetry on plant/<line>/<machine>/<signal>. */
export function mqttFlow(o: FlowOptions = {}): N[] {
  const z = o.tab ?? 'plant-mqtt-tab';
  const line = o.line ?? 'L1';
  const url = new URL(o.mqttUrl ?? 'mqtt://127.0.0.1:1883');
  return [
    { id: z, type: 'tab', label: 'Plant signals (MQTT)' },
    {
      id: 'plant-mqtt-note', type: 'comment', z, name: 'MQTT telemetry -> mfg-signal -> business events',
      info: 'The plant simulator publishes the signals of line L1 as JSON {"value", "timestamp", "quality"} on plant/L1/<machine>/<signal>. The rules bind topic patterns to roles; the events are the same as from OPC UA.',
    },
    { id: 'plant-mqtt-broker', type: 'mqtt-broker', name: 'plant broker', broker: url.hostname, port: url.port || '1883', clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'plant-mqtt-in', type: 'mqtt in', z, name: 'plant telemetry', topic: `plant/${line}/#`, qos: '1', datatype: 'auto-detect', broker: 'plant-mqtt-broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['plant-signal']] },
    ...signalNode(z, plantRules({ line, source: 'mqtt', everyUnits: o.everyUnits }), o),
  ];
}

function signalNode(z: string, rules: N[], o: FlowOptions): N[] {
  const debug = { id: 'plant-events', type: 'debug', z, name: 'business events', active: true, tosidebar: true, console: false, complete: 'payload', targetType: 'msg', wires: [] };
  return [...(o.sink ? [] : [debug]), {
    id: 'plant-signal', type: 'mfg-signal', z, name: 'line L1 signals', plant: '', persist: true, store: o.store ?? '',
    rules, minStopSec: o.minStopSec ?? 10, shifts: '', ctx: '', ctxType: 'none',
    codes: '17, breakdown, unplanned, Spindle drive fault\n31, material-shortage, unplanned, No material at infeed\n40, quality, unplanned, Quality check failed\n50, changeover, planned, Changeover / setup',
    wires: [[o.sink ?? 'plant-events']],
  }];
}
