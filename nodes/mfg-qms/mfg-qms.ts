// QMS operations (nonconformances, inspection results, lot genealogy) against an mfg-endpoint of role qms.
import type { NodeAPI } from 'node-red';
import { registerConnectorNode } from '../mfg-erp/connector-node';

export = (RED: NodeAPI) => {
  registerConnectorNode(RED, 'mfg-qms', 'qms');
};
