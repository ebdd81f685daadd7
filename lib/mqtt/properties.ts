// MQTT 5 publish properties for a structured CloudEvent: the content type, UTF-8 payload
// format, and the event attributes as user properties (so brokers, bridges and consumers
// can route and filter on them without parsing the payload).
import { CONTENT_TYPE } from '../events/envelope';

export interface PublishProperties {
  contentType: string;
  payloadFormatIndicator: boolean;
  userProperties: Record<string, string>;
}

export function eventProperties(ev: Record<string, unknown>): PublishProperties {
  const userProperties: Record<string, string> = {};
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'data' || k === 'data_base64' || v === undefined || v === null) continue;
    userProperties[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { contentType: CONTENT_TYPE, payloadFormatIndicator: true, userProperties };
}
