// The ERP simulator: one state model served through the sap-odata, odoo, d365 and rest
// surfaces, with the common ledger, faults and control routes.
import { SimServer } from '../http/server';
import { pickPort, Running, StartOptions } from '../http/start';
import { mountD365 } from './d365';
import { mountOdoo } from './odoo';
import { mountErpRest } from './rest';
import { mountSap } from './sap';
import { ErpState } from './state';

export interface ErpSimOptions extends StartOptions {
  csrfTtlMs?: number;
  tokenTtlSec?: number;
  sapUser?: string;
  sapPassword?: string;
  odooDb?: string;
  odooLogin?: string;
  odooPassword?: string;
  odooApiKey?: string;
  clients?: Record<string, string>;
  requireIdempotencyKey?: boolean;
}

export interface ErpSim extends Running {
  state: ErpState;
  server: SimServer;
}

export interface ErpConfig {
  csrfTtlMs: number; tokenTtlSec: number; user: string; password: string;
  odooDb: string; odooLogin: string; odooPassword: string; odooApiKey: string; clients: Record<string, string>;
}

export async function startErpSim(opts: ErpSimOptions = {}): Promise<ErpSim> {
  const server = new SimServer('erp');
  const state = new ErpState();
  const cfg: ErpConfig = {
    csrfTtlMs: opts.csrfTtlMs ?? 30 * 60 * 1000, tokenTtlSec: opts.tokenTtlSec ?? 3599,
    user: opts.sapUser ?? 'MFG_SAP', password: opts.sapPassword ?? 'Welcome1',
    odooDb: opts.odooDb ?? 'mfg', odooLogin: opts.odooLogin ?? 'admin', odooPassword: opts.odooPassword ?? 'admin', odooApiKey: opts.odooApiKey ?? 'mfg-odoo-api-key',
    clients: opts.clients ?? { 'mfg-client': 'mfg-secret' },
  };
  server.requireIdempotencyKey = opts.requireIdempotencyKey ?? true;
  server.onReset(() => state.reset());
  server.stateDump = () => state.dump();
  server.configure = (b) => {
    const map: Record<string, keyof ErpConfig> = { csrfTtlMs: 'csrfTtlMs', tokenTtlSec: 'tokenTtlSec', sapUser: 'user', sapPassword: 'password', odooDb: 'odooDb', odooLogin: 'odooLogin', odooPassword: 'odooPassword', odooApiKey: 'odooApiKey', clients: 'clients' };
    for (const [k, v] of Object.entries(b)) {
      if (k === 'requireIdempotencyKey') { server.requireIdempotencyKey = v === true; continue; }
      const target = map[k];
      if (!target) throw new Error(`unknown setting "${k}"`);
      (cfg as unknown as Record<string, unknown>)[target] = v;
    }
    return { ...cfg, password: '***', odooPassword: '***', odooApiKey: '***', clients: Object.keys(cfg.clients), requireIdempotencyKey: server.requireIdempotencyKey };
  };
  mountSap(server, state, cfg);
  mountOdoo(server, state, cfg);
  mountD365(server, state, cfg);
  mountErpRest(server, state);
  const running = await server.listen(pickPort(opts, 'MFG_ERP_PORT', 8081), opts.host ?? '127.0.0.1', opts.tls);
  return { ...running, state, server };
}
