// Node status for nodes that use an mfg-broker connection.
import type { NodeStatus } from 'node-red';
import type { LinkInfo } from '../../lib/mqtt';

export function linkStatus(link: LinkInfo | undefined, extra = ''): NodeStatus {
  const tail = extra ? ` · ${extra}` : '';
  if (!link) return { fill: 'red', shape: 'ring', text: `no broker configured${tail}` };
  switch (link.state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: `connected${link.version === 4 ? ' (3.1.1)' : ''}${tail}` };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: `connecting${tail}` };
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: `reconnecting${link.detail ? `: ${short(link.detail)}` : ''}${tail}` };
    case 'error':
      return { fill: 'red', shape: 'ring', text: `${short(link.detail || 'error')}${tail}` };
    default:
      return { fill: 'grey', shape: 'ring', text: `closed${tail}` };
  }
}

function short(s: string): string {
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}
