// GET /mfg-connect/catalog: event types, versions and fields for the editor.
import type { NodeAPI } from 'node-red';
import { catalog, fieldsOf } from '../../lib/events';
import { adminRoute, PERMISSION_READ } from './red';

export function registerCatalogRoute(RED: NodeAPI): void {
  adminRoute(RED, 'catalog', () => {
    const body = catalog.all().map((e) => ({
      type: e.type, domain: e.domain, name: e.name, version: e.version, title: e.title,
      description: e.description, owner: e.owner, isa95: e.isa95, fields: fieldsOf(e), schema: e.schema,
    }));
    RED.httpAdmin.get('/mfg-connect/catalog', RED.auth.needsPermission(PERMISSION_READ), (_req, res) => {
      res.json(body);
    });
  });
}
