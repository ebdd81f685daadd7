// Odoo exceptions as they come back over JSON-RPC (name = the Python exception class).
export class OdooError extends Error {
  constructor(readonly exc: string, message: string, readonly code = 200) {
    super(message);
  }
}
export const userError = (m: string) => new OdooError('odoo.exceptions.UserError', m);
export const valueError = (m: string) => new OdooError('builtins.ValueError', m);

