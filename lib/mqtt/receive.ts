// Turns a received MQTT payload into a canonical event or a refusal with a reason.
// Checks the CloudEvents envelope only; the data schema is mfg-validate's job downstream.
import type { ValidateFunction } from 'ajv/dist/2020';
import { createAjv, EventValidator, readableErrors, ValidationError } from '../validation';
import { envelopeSchema } from '../validation/envelope-schema';

export type Received =
  | { ok: true; event: Record<string, unknown> }
  | { ok: false; reason: string; errors: ValidationError[]; raw: string };

export class EventReceiver {
  private readonly screen: EventValidator;
  private readonly envelope: ValidateFunction;

  constructor(maxBytes = 256 * 1024) {
    this.screen = new EventValidator({ maxBytes });
    this.envelope = createAjv().compile(envelopeSchema);
  }

  receive(payload: Buffer | string): Received {
    const parsed = this.screen.parse(payload);
    if (!parsed.ok) return { ok: false, reason: parsed.errors[0].message, errors: parsed.errors, raw: raw(payload) };
    const ev = parsed.value;
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) {
      return { ok: false, reason: 'payload is not a CloudEvent object', errors: [{ path: '$', message: 'must be a CloudEvent object' }], raw: raw(payload) };
    }
    if (!this.envelope(ev)) {
      const errors = readableErrors(this.envelope.errors);
      return { ok: false, reason: `not a valid CloudEvents envelope: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors, raw: raw(payload) };
    }
    return { ok: true, event: ev as Record<string, unknown> };
  }
}

/** The start of a refused payload as text, for the error output. */
function raw(payload: Buffer | string): string {
  return (typeof payload === 'string' ? payload : payload.toString('utf8')).slice(0, 4096);
}
