// Reusable JSON Schema fragments for the business fields of the event catalog.
// Identifiers are strings (ERP numbers keep leading zeros), quantities carry a unit,
// times are RFC 3339.

export type Schema = Record<string, unknown>;

export const id = (description: string, maxLength = 64): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});

export const text = (description: string, maxLength = 255): Schema => ({ type: 'string', maxLength, description });

export const time = (description: string): Schema => ({ type: 'string', format: 'date-time', description });

export const bool = (description: string): Schema => ({ type: 'boolean', description });

export const int = (description: string, minimum = 0): Schema => ({ type: 'integer', minimum, description });

export const num = (description: string, minimum?: number): Schema =>
  minimum === undefined ? { type: 'number', description } : { type: 'number', minimum, description };

export const oneOf = (description: string, values: string[]): Schema => ({ type: 'string', enum: values, description });

/** A quantity with its unit of measure (UN/CEFACT Rec. 20 code such as C62, KGM, or an ISO/ERP unit such as PC, KG). */
export const quantity = (description: string): Schema => ({
  type: 'object',
  description,
  required: ['value', 'unit'],
  properties: {
    value: { type: 'number', minimum: 0 },
    unit: { type: 'string', minLength: 1, maxLength: 6, pattern: '^[A-Za-z0-9%]+$' },
  },
});

/** A reason code from the plant's code table, with optional text and category. */
export const reason = (description: string): Schema => ({
  type: 'object',
  description,
  required: ['code'],
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 32 },
    text: { type: 'string', maxLength: 255 },
    category: { type: 'string', maxLength: 64 },
  },
});

/** Document references in other systems, e.g. {"erpConfirmation": "207/1"}. */
export const references = (): Schema => ({
  type: 'object',
  description: 'Document references in ERP, WMS, QMS or MES, by name',
  additionalProperties: { type: 'string', maxLength: 128 },
});

export const listOf = (description: string, item: Schema, minItems = 0): Schema => ({
  type: 'array',
  description,
  minItems,
  maxItems: 1000,
  items: item,
});

export const object = (required: string[], properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required,
  properties,
});

// Fields shared by many event types.
export const common = {
  orderId: id('Production (work) order number'),
  operationId: id('Operation / activity number within the routing, e.g. 0010', 16),
  workCenter: id('Work center or resource (ISA-95 equipment at work-unit level)'),
  plant: id('ERP plant code', 16),
  material: id('Material / item number', 40),
  lot: id('Lot or batch number', 40),
  serial: id('Serial number', 64),
  storageLocation: id('Storage location', 16),
  unitOfWork: id('Machine or station that produced the signal'),
  operator: id('Operator or personnel number'),
  shift: id('Shift identifier', 32),
  references: references(),
  note: text('Free text for people', 1000),
};
