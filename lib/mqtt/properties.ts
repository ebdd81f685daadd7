// MQTT 5 publish properties for a structured CloudEvent: the content type, UTF-8 payload
// format, and the event attributes as user properties (so brokers, bridges and consumers
// can route and filter on them without parsing the payload). Encoding user properties is
// costly in mqtt-packet (10 attributes: about 4x the time of a bare publish), hence the modes.
import { CONTENT_TYPE } from '../events/envelope';

export interface PublishProperties {
  contentType: string;
  payloadFormatIndicator: boolean;
  userProperties: Record<string, string>;
}

/** Which attributes become user properties: all, the four REQUIRED ones, or none. */
export type UserPropertiesMode = 'all' | 'required' | 'none';

const REQUIRED = new Set(['specversion', 'id', 'source', 'type']);

export function eventProperties(ev: Record<string, unknown>, mode: UserPropertiesMode = 'all'): PublishProperties | { contentType: string; payloadFormatIndicator: boolean } {
  if (mode === 'none') return { contentType: CONTENT_TYPE, payloadFormatIndicator: true };
  const userProperties: Record<string, string> = {};
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'data' || k === 'data_base64' || v === undefined || v === null) continue;
    if (mode === 'required' && !REQUIRED.has(k)) continue;
    userProperties[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { contentType: CONTENT_TYPE, payloadFormatIndicator: true, userProperties };
}
