// Delayed PUBACKs for received QoS 1 msgs. mqtt.js acknowledges a msg as soon as its
// 'message' listeners return; a msg still travelling through the flow when the process
// dies is then lost. Here the PUBACK is held back until the receiver says the msg was
// handled, while mqtt.js carries on reading (it is told the ack went out). A broker with
// a persistent session redelivers every msg whose PUBACK it never got.
//
// Flow control: beyond `limit` msgs held at once, mqtt.js is not told the ack went out
// until one is released, so it stops reading the socket; TCP then holds the broker back
// and it queues for this client. A flood cannot pile up in the process (memory) nor
// delay the PUBACKs of our own publishes behind it on the same connection.
import type { MqttClient, Packet } from 'mqtt';

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

interface Hold {
  released: boolean;
  send?: () => void;
}

export class HeldAcks {
  /** holds of the current connection, by packet id */
  private holds = new Map<number, Hold>();
  private generation = 0;
  /** mqtt.js's go-ahead, withheld while the limit is reached */
  private paused?: () => void;
  held = 0;

  constructor(readonly limit: number) {}

  /** true while reading is paused by the limit */
  get pausedReading(): boolean {
    return this.paused !== undefined;
  }

  attach(client: MqttClient): void {
    const internal = client as unknown as { _sendPacket: SendPacket };
    const raw = internal._sendPacket.bind(client);
    internal._sendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => {
      const id = (packet as { messageId?: number }).messageId;
      const h = packet.cmd === 'puback' && id !== undefined ? this.holds.get(id) : undefined;
      if (!h || h.released) {
        if (h) this.holds.delete(id!);
        return raw(packet, cb, ...rest);
      }
      // mqtt.js waits for this callback before it reads the next packet: answer at once,
      // send the real PUBACK on release.
      h.send = () => raw(packet, undefined, ...rest);
      if (!cb) return;
      if (this.held > this.limit) this.paused = cb;
      else cb();
    };
  }

  /** Holds the PUBACK of a packet id; the returned function releases it (once). */
  hold(messageId: number): () => void {
    const gen = this.generation;
    const h: Hold = { released: false };
    this.holds.set(messageId, h);
    this.held++;
    return () => {
      if (h.released) return;
      h.released = true;
      // after a reconnect the id may belong to another msg: never ack across connections,
      // and the count was reset with the old connection's holds
      if (gen !== this.generation) return;
      this.held--;
      if (h.send) {
        this.holds.delete(messageId);
        h.send();
      }
      const go = this.paused;
      if (go && this.held <= this.limit) {
        this.paused = undefined;
        go();
      }
    };
  }

  /** The connection is gone: the broker will redeliver what was not acknowledged. */
  reset(): void {
    this.generation++;
    this.holds = new Map();
    this.held = 0;
    // the go-ahead belongs to the dead connection's packet stream: never resume it
    this.paused = undefined;
  }
}
