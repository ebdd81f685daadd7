// Reads the plant profile of an mfg-plant config node (or defaults when none is set).
import type { Node, NodeAPI } from 'node-red';
import { PlantProfile, resolvePlant } from '../../lib/events';

export interface PlantConfigNode extends Node {
  profile: PlantProfile;
}

export function plantOf(RED: NodeAPI, id: string | undefined): PlantProfile {
  const n = id ? (RED.nodes.getNode(id) as PlantConfigNode | null) : null;
  if (n && n.profile) return n.profile;
  return resolvePlant({
    enterprise: '${MFG_ENTERPRISE:-enterprise}', site: '${MFG_SITE:-site}', area: '${MFG_AREA:-area}',
    line: '${MFG_LINE:-line}', system: '${MFG_SYSTEM:-node-red}',
  });
}
