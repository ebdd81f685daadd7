// Ids of the msgs a node starts, in Node-RED's form (16 hex digits). RED.util.generateId
// builds eight strings and an array per call; here a random prefix per process and a
// counter: unique within the process, and a new prefix whenever the counter wraps.
import { randomBytes } from 'crypto';

let prefix = randomBytes(4).toString('hex');
let counter = 0;

export function msgId(): string {
  counter = (counter + 1) >>> 0;
  if (counter === 0) prefix = randomBytes(4).toString('hex');
  const c = counter.toString(16);
  return prefix + '00000000'.slice(c.length) + c;
}
