// Config node: the plant profile (enterprise, site, area, line, source system, time zone).
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { PlantProfile, resolvePlant } from '../../lib/events';

interface PlantDef extends NodeDef {
  enterprise: string;
  site: string;
  area: string;
  line: string;
  system: string;
  timeZone: string;
}

interface PlantNode extends Node {
  profile: PlantProfile;
}

export = (RED: NodeAPI) => {
  function MfgPlant(this: PlantNode, config: PlantDef) {
    RED.nodes.createNode(this, config);
    try {
      this.profile = resolvePlant(config);
    } catch (err) {
      // A bad profile must not stop the runtime: fall back to defaults and say why.
      this.error(`mfg-plant: ${(err as Error).message}`);
      this.profile = resolvePlant({});
    }
  }
  RED.nodes.registerType('mfg-plant', MfgPlant);
};
