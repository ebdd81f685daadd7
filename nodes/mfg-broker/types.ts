import type { Node } from 'node-red';
import type { BackboneClient, LinkInfo } from '../../lib/mqtt';

export interface BrokerCreds {
  username?: string;
  password?: string;
  key?: string;
}

/** What mfg-publish and mfg-subscribe see of their mfg-broker config node. */
export interface BrokerNode extends Node<BrokerCreds> {
  client: BackboneClient;
  /** Starts the connection (once) and calls `onState` now and on every change; returns the unsubscribe. */
  use(onState: (link: LinkInfo) => void): () => void;
}
