// The simulators of ERP, WMS and QMS (see README.md for every route).
export { startErpSim } from './erp';
export type { ErpSim, ErpSimOptions } from './erp';
export { startWmsSim } from './wms';
export type { WmsSim } from './wms';
export { startQmsSim } from './qms';
export type { QmsSim } from './qms';
export { SimServer } from './http/server';
