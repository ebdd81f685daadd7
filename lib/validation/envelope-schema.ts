// CloudEvents 1.0 structured-mode envelope with the package's extension attributes.
export const envelopeSchema: Record<string, unknown> = {
  type: 'object',
  required: ['specversion', 'id', 'source', 'type'],
  propertyNames: { pattern: '^([a-z0-9]{1,20}|data_base64)$' },
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', minLength: 1, maxLength: 128 },
    source: { type: 'string', minLength: 1, maxLength: 512, format: 'uri-reference' },
    type: { type: 'string', minLength: 1, maxLength: 128 },
    time: { type: 'string', format: 'date-time' },
    subject: { type: 'string', minLength: 1, maxLength: 512 },
    datacontenttype: { type: 'string', minLength: 1 },
    dataschema: { type: 'string', format: 'uri' },
    correlationid: { type: 'string', minLength: 1, maxLength: 128 },
    causationid: { type: 'string', minLength: 1, maxLength: 128 },
    traceparent: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
    partitionkey: { type: 'string', minLength: 1, maxLength: 256 },
    sequence: { type: 'string', minLength: 1 },
    recordedtime: { type: 'string', format: 'date-time' },
    plant: { type: 'string', minLength: 1, maxLength: 64 },
  },
};
