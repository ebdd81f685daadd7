// Config node: the MQTT connection to the event backbone for mfg-subscribe nodes, and (by
// default) a second one of its own for mfg-publish nodes. Each connects when the first
// node uses it; both reconnect forever.
import os from 'os';
import type { NodeAPI, NodeDef } from 'node-red';
import { BackboneClient, BrokerOptions, LinkInfo, Protocol } from '../../lib/mqtt';
import type { BrokerNode } from './types';

interface BrokerDef extends NodeDef {
  url: string;
  clientId: string;
  protocol: Protocol;
  keepalive: number | string;
  cleanSession: boolean;
  sessionExpiry: number | string;
  maxInFlight?: number | string;
  /** 'own' (default): mfg-publish sends on a connection of its own; 'shared': on this one */
  publishOn?: 'own' | 'shared';
  verifyTls: boolean;
  ca: string;
  cert: string;
}

/** The publishing connection's client id: the configured one with "-pub" (kept to 64 characters). */
function publishClientId(clientId: string): string {
  return `${clientId.slice(0, 60)}-pub`;
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
    const options: BrokerOptions = {
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
    };
    const warnOf = (what: string) => (link: LinkInfo) => {
      if (link.state === 'error') node.warn(`mfg-broker ${config.url}${what}: ${link.detail}`);
    };
    node.client = new BackboneClient(options);
    node.client.on('state', warnOf(''));
    // On one connection the PUBACKs of the publishes queue behind the msgs coming in (and
    // wait while reading is paused at the in-flight limit): under a flood the outbox backs
    // up. Publishing gets a connection of its own, with a clean session (it holds no
    // subscriptions; the outbox sends again what was not acknowledged).
    if (config.publishOn === 'shared') node.publishClient = node.client;
    else {
      node.publishClient = new BackboneClient({
        ...options,
        clientId: clientId ? publishClientId(clientId) : undefined,
        cleanSession: true,
        sessionExpirySec: undefined,
        maxInFlightIn: undefined,
      });
      node.publishClient.on('state', warnOf(' (publishing connection)'));
    }
    const useOf = (client: BackboneClient) => (onState: (link: LinkInfo) => void) => {
      client.on('state', onState);
      onState(client.link);
      client.connect();
      return () => client.off('state', onState);
    };
    node.use = useOf(node.client);
    node.usePublish = useOf(node.publishClient);
    node.on('close', (_removed: boolean, done: () => void) => {
      const closing = [node.client.close()];
      if (node.publishClient !== node.client) closing.push(node.publishClient.close());
      Promise.all(closing).then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('mfg-broker', MfgBroker as never, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, key: { type: 'password' } },
  });
};
