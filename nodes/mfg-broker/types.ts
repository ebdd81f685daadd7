import type { Node } from 'node-red';
import type { BackboneClient, LinkInfo } from '../../lib/mqtt';

export interface BrokerCreds {
  username?: string;
  password?: string;
  key?: string;
}

/** What mfg-publish and mfg-subscribe see of their mfg-broker config node. */
export interface BrokerNode extends Node<BrokerCreds> {
  /** the connection of mfg-subscribe */
  client: BackboneClient;
  /** the connection of mfg-publish: one of its own, or `client` when configured to share */
  publishClient: BackboneClient;
  /** Starts `client` (once) and calls `onState` now and on every change; returns the unsubscribe. */
  use(onState: (link: LinkInfo) => void): () => void;
  /** The same for `publishClient`. */
  usePublish(onState: (link: LinkInfo) => void): () => void;
}
