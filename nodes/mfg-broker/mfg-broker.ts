// Config node: one MQTT connection to the event backbone, shared by mfg-publish and
// mfg-subscribe nodes. Connects when the first node uses it; reconnects forever.
import os from 'os';
import type { NodeAPI, NodeDef } from 'node-red';
import { BackboneClient, LinkInfo, Protocol } from '../../lib/mqtt';
import type { BrokerNode } from './types';

interface BrokerDef extends NodeDef {
  url: string;
  clientId: string;
  protocol: Protocol;
  keepalive: number | string;
  cleanSession: boolean;
  sessionExpiry: number | string;
  maxInFlight?: number | string;
  verifyTls: boolean;
  ca: string;
  cert: string;
}



export = (RED: NodeAPI) => {
  function MfgBroker(this: BrokerNode, config: BrokerDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const creds = node.credentials || {};
    const persistent = config.cleanSession === false;
    let clientId = (config.clientId || '').trim();
    // A persistent session is found again by its client id, so it must be stable.
    if (!clientId && persistent) clientId = `mfg-${os.hostname()}-${node.id}`.slice(0, 64);
    node.client = new BackboneClient({
      url: (config.url || 'mqtt://127.0.0.1:1883').trim(),
      clientId: clientId || undefined,
      protocol: config.protocol || 'auto',
      keepalive: Number(config.keepalive) || 60,
      cleanSession: !persistent,
      sessionExpirySec: Number(config.sessionExpiry) || undefined,
      maxInFlightIn: config.maxInFlight === '' || config.maxInFlight === undefined ? undefined : Number(config.maxInFlight),
      verify: config.verifyTls !== false,
      ca: config.ca || undefined,
      cert: config.cert || undefined,
      key: creds.key || undefined,
      username: creds.username || undefined,
      password: creds.password || undefined,
    });
    node.client.on('state', (link: LinkInfo) => {
      if (link.state === 'error') node.warn(`mfg-broker ${config.url}: ${link.detail}`);
    });
    node.use = (onState) => {
      node.client.on('state', onState);
      onState(node.client.link);
      node.client.connect();
      return () => node.client.off('state', onState);
    };
    node.on('close', (_removed: boolean, done: () => void) => {
      node.client.close().then(done, done);
    });
  }

  RED.nodes.registerType('mfg-broker', MfgBroker as never, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, key: { type: 'password' } },
  });
};
