// WMS operations (putaway, transfer, shipment blocks, task confirmation) against an mfg-endpoint of role wms.
import type { NodeAPI } from 'node-red';
import { registerConnectorNode } from '../mfg-erp/connector-node';

export = (RED: NodeAPI) => {
  registerConnectorNode(RED, 'mfg-wms', 'wms');
};
