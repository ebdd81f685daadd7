// Validates CloudEvents against the catalog (envelope + data schema of the exact type
// and version) or a custom schema. Every schema is compiled once and cached.
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { catalog, parseType } from '../events/catalog';
import { envelopeSchema } from './envelope-schema';
import { inspectValue } from './inspect';
import { addQuickLengths } from './length';

export interface ValidationError {
  /** JSON path of the offending value, e.g. $.data.quantity.unit */
  path: string;
  message: string;
}

export type ValidationResult =
  | { valid: true; event: Record<string, unknown> }
  | { valid: false; errors: ValidationError[]; event?: unknown };

export interface ValidatorOptions {
  /** payloads above this many bytes are refused (default 256 KiB) */
  maxBytes?: number;
  maxDepth?: number;
  /** turn "42" into 42 and 1000123 into "1000123" where the schema says so (for building) */
  coerceTypes?: boolean;
}

export function createAjv(coerceTypes = false): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, coerceTypes });
  // 'fast' formats: the full RFC 3986 regexes cost more than the rest of a validation.
  addFormats(ajv, { mode: 'fast' });
  addQuickLengths(ajv);
  ajv.addVocabulary(['x-owner', 'x-isa95', 'x-version']);
  return ajv;
}

function jsonPath(instancePath: string): string {
  if (!instancePath) return '$';
  return '$' + instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
}

export function readableErrors(errors: ErrorObject[] | null | undefined, prefix = ''): ValidationError[] {
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = jsonPath(e.instancePath);
    let message: string;
    switch (e.keyword) {
      case 'required':
        path += `.${(e.params as { missingProperty: string }).missingProperty}`;
        message = 'is required';
        break;
      case 'type':
        message = `must be ${(e.params as { type: string }).type}`;
        break;
      case 'enum':
        message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'format':
        message = `must be a valid ${(e.params as { format: string }).format}`;
        break;
      case 'propertyNames':
        message = `has an invalid attribute name "${(e.params as { propertyName: string }).propertyName}"`;
        break;
      case 'additionalProperties':
        path += `.${(e.params as { additionalProperty: string }).additionalProperty}`;
        message = 'is not allowed';
        break;
      default:
        message = e.message ?? e.keyword;
    }
    if (prefix && path.startsWith('$')) path = prefix + path.slice(1);
    const k = path + message;
    if (e.keyword === 'if' || seen.has(k)) continue;
    seen.add(k);
    out.push({ path, message });
  }
  return out;
}

export class EventValidator {
  readonly maxBytes: number;
  readonly maxDepth: number;
  private readonly ajv: Ajv2020;
  private readonly byType = new Map<string, ValidateFunction>();
  private readonly dataByType = new Map<string, ValidateFunction>();
  private readonly envelope: ValidateFunction;

  constructor(opts: ValidatorOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 256 * 1024;
    this.maxDepth = opts.maxDepth ?? 32;
    this.ajv = createAjv(opts.coerceTypes);
    for (const e of catalog.all()) this.ajv.addSchema(e.schema);
    this.envelope = this.ajv.compile(envelopeSchema);
  }

  /** Parses (string, Buffer) and screens a payload; returns the object or a refusal. */
  parse(input: unknown): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
    let value = input;
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
      if (bytes > this.maxBytes) return refuse(`payload is ${bytes} bytes, more than the limit of ${this.maxBytes}`);
      try {
        value = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
      } catch (err) {
        return refuse(`payload is not valid JSON: ${(err as Error).message}`);
      }
    }
    const reason = inspectValue(value, { maxDepth: this.maxDepth, maxBytes: this.maxBytes });
    if (reason) return refuse(reason);
    return { ok: true, value };
  }

  /** Validates a whole event: envelope and the data schema of its type and version. */
  validate(input: unknown): ValidationResult {
    const parsed = this.parse(input);
    if (!parsed.ok) return { valid: false, errors: parsed.errors, event: typeof input === 'object' ? input : undefined };
    const ev = parsed.value;
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) {
      return { valid: false, errors: [{ path: '$', message: 'must be a CloudEvent object' }], event: ev };
    }
    const type = (ev as { type?: unknown }).type;
    const fn = typeof type === 'string' ? this.forType(type) : undefined;
    if (!fn) {
      if (!this.envelope(ev)) return { valid: false, errors: readableErrors(this.envelope.errors), event: ev };
      return { valid: false, errors: [{ path: '$.type', message: unknownType(String(type)) }], event: ev };
    }
    if (fn(ev)) return { valid: true, event: ev as Record<string, unknown> };
    return { valid: false, errors: readableErrors(fn.errors), event: ev };
  }

  /** Validates only `data` of a type (used when building events). */
  validateData(type: string, data: unknown): ValidationError[] {
    let fn = this.dataByType.get(type);
    if (!fn) {
      const entry = catalog.get(type);
      if (!entry) return [{ path: '$.type', message: unknownType(type) }];
      fn = this.ajv.getSchema(entry.dataschema) as ValidateFunction;
      this.dataByType.set(type, fn);
    }
    return fn(data) ? [] : readableErrors(fn.errors, '$.data');
  }

  private forType(type: string): ValidateFunction | undefined {
    let fn = this.byType.get(type);
    if (fn) return fn;
    const entry = catalog.get(type);
    if (!entry) return undefined;
    fn = this.ajv.compile({
      ...envelopeSchema,
      required: [...(envelopeSchema.required as string[]), 'data'],
      properties: { ...(envelopeSchema.properties as object), data: { $ref: entry.dataschema } },
    });
    this.byType.set(type, fn);
    return fn;
  }
}

function refuse(message: string): { ok: false; errors: ValidationError[] } {
  return { ok: false, errors: [{ path: '$', message }] };
}

function unknownType(type: string): string {
  const p = parseType(type);
  if (!p) return `unknown event type "${type}" (expected mfg.<domain>.<object>.<action>.v<N>)`;
  const versions = catalog.versions(p.domain, `${p.object}.${p.action}`);
  if (versions.length) return `unknown version v${p.version} of ${type.replace(/\.v\d+$/, '')}; known: ${versions.map((v) => 'v' + v).join(', ')}`;
  return `unknown event type "${type}"`;
}

/** Validates payloads against a custom JSON Schema given by the user. */
export class CustomValidator {
  private readonly fn: ValidateFunction;
  constructor(schema: object, private readonly screen: EventValidator) {
    const ajv = createAjv();
    this.fn = ajv.compile(schema);
  }
  validate(input: unknown, target: 'data' | 'payload'): ValidationResult {
    const parsed = this.screen.parse(input);
    if (!parsed.ok) return { valid: false, errors: parsed.errors };
    const v = parsed.value as Record<string, unknown>;
    const subject = target === 'data' ? (v && typeof v === 'object' ? v.data : undefined) : v;
    if (this.fn(subject)) return { valid: true, event: v };
    return { valid: false, errors: readableErrors(this.fn.errors, target === 'data' ? '$.data' : ''), event: v };
  }
}
