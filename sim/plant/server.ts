// The plant simulator: a real OPC UA server (node-opcua) with two machines per line,
// playing a seeded scripted scenario at a chosen time scale; the signals of one line
// are also published as MQTT JSON telemetry.
// Node ids: ns=1;s=<line>.<machine>.<signal>; MQTT topics: <prefix>/<line>/<machine>/<signal>
// with payload {"value", "timestamp", "quality"}.
import * as os from 'os';
import * as path from 'path';
import type { MqttClient } from 'mqtt';
import { Change, expand, Scenario, SCENARIOS, SIGNALS, SignalName } from './scenario';

export interface PlantSimOptions {
  port?: number;
  /** scenario name (default "demo") */
  scenario?: string;
  /** plant seconds per real second (default 1) */
  timeScale?: number;
  mqttUrl?: string;
  mqttPrefix?: string;
  /** the line whose signals go to MQTT (default the first) */
  mqttLine?: string;
  seed?: number;
  lines?: string[];
  /** start playing at once (default true); else call play() */
  autoPlay?: boolean;
  /** replay the scenario when it ends (demo mode) */
  loop?: boolean;
  /** plant time of the scenario start, epoch ms (default: when play() is called) */
  startTime?: number;
  /** folder of the server's PKI (default a folder under the OS temp dir) */
  pkiDir?: string;
  /** serve OPC UA (default true); false plays the scenario to MQTT only */
  opcua?: boolean;
}

export interface PlantSim {
  endpointUrl: string;
  port: number;
  scenario: Scenario;
  /** epoch ms of plant second 0 (set when playing starts) */
  startTime: number;
  nodeId(line: string, machine: string, signal: SignalName): string;
  mqttTopic(line: string, machine: string, signal: SignalName): string;
  /** epoch ms of a plant second */
  plantTime(t: number): number;
  play(): void;
  /** resolves when the scenario has played out (and MQTT has flushed) */
  finished: Promise<void>;
  /** current value of every signal: {"L1.M1.GoodCount": 12, ...} */
  values(): Record<string, string | number>;
  /** changes applied so far */
  applied(): number;
  stopOpcua(): Promise<void>;
  startOpcua(): Promise<void>;
  close(): Promise<void>;
}

const DATA_TYPES: Record<SignalName, string> = {
  State: 'String', AlarmCode: 'UInt32', GoodCount: 'UInt32', ScrapCount: 'UInt32',
  Temperature: 'Double', Vibration: 'Double', OrderId: 'String', OperationId: 'String',
};

export async function startPlantSim(opts: PlantSimOptions = {}): Promise<PlantSim> {
  // node-opcua is a development dependency: loaded only to serve OPC UA
  const opcua = opts.opcua === false ? (undefined as never) : await import('node-opcua');
  const port = opts.port ?? Number(process.env.MFG_OPCUA_PORT || 4840);
  const lines = opts.lines ?? ['L1'];
  const def = SCENARIOS[opts.scenario ?? 'demo'];
  if (!def) throw new Error(`unknown scenario "${opts.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const scenario = expand(def, lines, opts.seed ?? 42);
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error('timeScale must be a positive number');
  const prefix = opts.mqttPrefix ?? 'plant';
  const mqttLine = opts.mqttLine ?? lines[0];
  const pkiDir = opts.pkiDir ?? path.join(os.tmpdir(), 'mfg-connect-plant-pki');

  const current = new Map<string, string | number>();
  for (const c of scenario.changes) if (c.t === 0 && !current.has(key(c))) current.set(key(c), c.value);
  const stamps = new Map<string, number>();

  let server: InstanceType<typeof opcua.OPCUAServer> | undefined;
  const variables = new Map<string, { setValueFromSource(v: object, s?: unknown, ts?: Date): void }>();
  let mqtt: MqttClient | undefined;
  if (opts.mqttUrl) {
    const { connectAsync } = await import('mqtt');
    mqtt = await connectAsync(opts.mqttUrl, { clientId: `plant-sim-${process.pid}-${Date.now() % 1e6}`, reconnectPeriod: 500 });
  }

  function variant(signal: SignalName, value: string | number) {
    return { dataType: (opcua.DataType as unknown as Record<string, number>)[DATA_TYPES[signal]], value };
  }

  async function startOpcua(): Promise<void> {
    if (server) return;
    if (!opcua) throw new Error('the plant simulator was started without OPC UA');
    const certificateManager = new opcua.OPCUACertificateManager({ rootFolder: pkiDir, automaticallyAcceptUnknownCertificate: true });
    const s = new opcua.OPCUAServer({
      port, host: '127.0.0.1', hostname: '127.0.0.1', disableDiscovery: true, allowAnonymous: true,
      serverCertificateManager: certificateManager,
      securityModes: [opcua.MessageSecurityMode.None], securityPolicies: [opcua.SecurityPolicy.None],
      buildInfo: { productName: 'mfg-connect plant simulator', manufacturerName: 'mfg-connect' },
    });
    await s.initialize();
    const ns = s.engine.addressSpace!.getOwnNamespace();
    const objects = s.engine.addressSpace!.rootFolder.objects;
    for (const line of lines) {
      const lineObj = ns.addObject({ organizedBy: objects, browseName: line, nodeId: `s=${line}` });
      for (const m of def!.machines) {
        const mObj = ns.addObject({ componentOf: lineObj, browseName: m.machine, nodeId: `s=${line}.${m.machine}` });
        for (const signal of SIGNALS) {
          const k = `${line}.${m.machine}.${signal}`;
          const v = ns.addVariable({
            componentOf: mObj, browseName: signal, nodeId: `s=${k}`,
            dataType: DATA_TYPES[signal], minimumSamplingInterval: 0,
          });
          const ts = stamps.get(k);
          v.setValueFromSource(variant(signal, current.get(k) ?? (DATA_TYPES[signal] === 'String' ? '' : 0)), opcua.StatusCodes.Good, ts ? new Date(ts) : new Date());
          variables.set(k, v as never);
        }
      }
    }
    await s.start();
    server = s;
  }

  async function stopOpcua(): Promise<void> {
    const s = server;
    server = undefined;
    variables.clear();
    if (s) await s.shutdown(0);
  }

  let startReal = 0;
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));

  const sim: PlantSim = {
    endpointUrl: `opc.tcp://127.0.0.1:${port}`,
    port,
    scenario,
    startTime: opts.startTime ?? 0,
    nodeId: (line, machine, signal) => `ns=1;s=${line}.${machine}.${signal}`,
    mqttTopic: (line, machine, signal) => `${prefix}/${line}/${machine}/${signal}`,
    plantTime: (t) => sim.startTime + t * 1000,
    play() {
      if (timer) return;
      startReal = Date.now();
      if (!sim.startTime) sim.startTime = Math.floor(startReal / 1000) * 1000;
      timer = setInterval(step, 5);
      step();
    },
    finished,
    values: () => Object.fromEntries(current),
    applied: () => next,
    stopOpcua,
    startOpcua,
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await stopOpcua();
      if (mqtt) await mqtt.endAsync();
    },
  };

  function apply(c: Change): void {
    const k = key(c);
    const ts = sim.plantTime(c.t);
    current.set(k, c.value);
    stamps.set(k, ts);
    const v = variables.get(k);
    if (v) v.setValueFromSource(variant(c.signal, c.value), opcua.StatusCodes.Good, new Date(ts));
    if (mqtt && c.line === mqttLine) {
      const payload = JSON.stringify({ value: c.value, timestamp: new Date(ts).toISOString(), quality: 'GOOD' });
      // retained: a subscriber that comes late still learns each signal's last value
      mqtt.publish(sim.mqttTopic(c.line, c.machine, c.signal), payload, { qos: 1, retain: true }, () => undefined);
    }
  }

  function step(): void {
    const t = ((Date.now() - startReal) / 1000) * timeScale;
    const list = scenario.changes;
    while (next < list.length && list[next].t <= t) apply(list[next++]);
    if (next < list.length) return;
    if (opts.loop) {
      // the next round starts where this one ended, on the plant clock
      sim.startTime += scenario.durationSec * 1000;
      startReal += (scenario.durationSec / timeScale) * 1000;
      next = 0;
      return;
    }
    clearInterval(timer);
    timer = undefined;
    // QoS 1 publishes are acknowledged in order: one more round trip means all were
    if (mqtt) mqtt.publish(`${prefix}/$sim/finished`, '1', { qos: 1 }, () => resolveFinished());
    else resolveFinished();
  }

  if (opts.opcua !== false) await startOpcua();
  if (opts.autoPlay !== false) sim.play();
  return sim;
}

function key(c: Change): string {
  return `${c.line}.${c.machine}.${c.signal}`;
}

if (require.main === module) {
  const scale = Number(process.env.MFG_PLANT_TIMESCALE || 1);
  startPlantSim({ timeScale: scale, mqttUrl: process.env.MFG_MQTT_URL, loop: true })
    .then((sim) => console.log(`plant simulator: ${sim.endpointUrl}${process.env.MFG_MQTT_URL ? ` and MQTT ${process.env.MFG_MQTT_URL}` : ''}`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
