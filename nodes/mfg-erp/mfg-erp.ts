// ERP operations (SAP S/4HANA, Odoo, Dynamics 365, REST) against an mfg-endpoint of role erp.
import type { NodeAPI } from 'node-red';
import { registerConnectorNode } from './connector-node';

export = (RED: NodeAPI) => {
  registerConnectorNode(RED, 'mfg-erp', 'erp');
};
