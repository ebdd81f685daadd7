// The catalog: JSON Schemas for every event type and version, looked up by CloudEvents type.
import { definitions, Domain, EventDefinition } from './definitions';
import type { Schema } from './fields';

export type { Domain, EventDefinition };

export interface CatalogEntry extends EventDefinition {
  /** CloudEvents type: mfg.<domain>.<object>.<action>.v<N> */
  type: string;
  object: string;
  action: string;
  /** the JSON Schema (draft 2020-12) of `data` */
  schema: Schema;
  /** CloudEvents dataschema URI */
  dataschema: string;
}

export const TYPE_PATTERN = /^mfg\.([a-z]+)\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/;

export function typeName(domain: string, name: string, version: number): string {
  return `mfg.${domain}.${name}.v${version}`;
}

export function parseType(type: string): { domain: string; object: string; action: string; version: number } | undefined {
  const m = TYPE_PATTERN.exec(type);
  return m ? { domain: m[1], object: m[2], action: m[3], version: Number(m[4]) } : undefined;
}

function toEntry(def: EventDefinition): CatalogEntry {
  const [object, action] = def.name.split('.');
  const type = typeName(def.domain, def.name, def.version);
  const dataschema = `urn:mfg-connect:schema:${def.domain}:${def.name}:v${def.version}`;
  const schema: Schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: dataschema,
    title: def.title,
    description: def.description,
    'x-owner': def.owner,
    'x-isa95': def.isa95,
    'x-version': def.version,
    type: 'object',
    required: def.required,
    properties: def.properties,
  };
  return { ...def, type, object, action, schema, dataschema };
}

const entries = definitions.map(toEntry);
const byType = new Map(entries.map((e) => [e.type, e]));

export const catalog = {
  all(): readonly CatalogEntry[] {
    return entries;
  },
  get(type: string): CatalogEntry | undefined {
    return byType.get(type);
  },
  /** Versions present for domain + name, ascending. */
  versions(domain: string, name: string): number[] {
    return entries.filter((e) => e.domain === domain && e.name === name).map((e) => e.version).sort((a, b) => a - b);
  },
  /** Latest version of a type given without version, e.g. mfg.production.quantity.confirmed. */
  latest(domain: string, name: string): CatalogEntry | undefined {
    const v = this.versions(domain, name);
    return v.length ? byType.get(typeName(domain, name, v[v.length - 1])) : undefined;
  },
};

export interface FieldInfo {
  /** dotted path inside data, e.g. quantity.unit */
  path: string;
  type: string;
  required: boolean;
  description?: string;
}

/** Leaf fields of a type's data, for mapping in the editor; arrays and free objects are one field. */
export function fieldsOf(entry: EventDefinition): FieldInfo[] {
  const out: FieldInfo[] = [];
  const walk = (props: Record<string, Schema>, required: string[], prefix: string, parentRequired: boolean) => {
    for (const [name, s] of Object.entries(props)) {
      const path = prefix + name;
      const req = parentRequired && required.includes(name);
      const sub = s.properties as Record<string, Schema> | undefined;
      if (s.type === 'object' && sub) walk(sub, (s.required as string[]) ?? [], path + '.', req);
      else out.push({ path, type: String(s.type ?? 'any'), required: req, description: s.description as string | undefined });
    }
  };
  walk(entry.properties, entry.required, '', true);
  return out;
}
