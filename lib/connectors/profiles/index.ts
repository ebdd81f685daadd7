// The connector profiles by name.
import type { ProfileName } from '../types';
import type { ProfileFactory } from './profile';
import { rest } from './rest';
import { sapOdata } from './sap-odata';
import { odoo } from './odoo';
import { d365 } from './d365';

export const profiles: Record<ProfileName, ProfileFactory> = { rest, 'sap-odata': sapOdata, odoo, d365 };
export * from './profile';
