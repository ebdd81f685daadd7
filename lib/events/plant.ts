// Plant profile: who is speaking. Values may be ${ENV_VAR} (or ${ENV_VAR:-default})
// so that one exported flow runs in any plant.

export interface PlantProfile {
  enterprise: string;
  site: string;
  area: string;
  line: string;
  system: string;
  timeZone?: string;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function resolveEnv(value: string, env: Record<string, string | undefined> = process.env): string {
  return value.replace(ENV_REF, (_m, name: string, def: string | undefined) => env[name] ?? def ?? '');
}

/** Topic and URI segment: lowercase-insensitive ids without separators. */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

export function resolvePlant(raw: Partial<Record<keyof PlantProfile, string>>, env?: Record<string, string | undefined>): PlantProfile {
  const get = (k: keyof PlantProfile, fallback: string) => {
    const v = resolveEnv(String(raw[k] ?? ''), env).trim();
    return v || fallback;
  };
  const p: PlantProfile = {
    enterprise: get('enterprise', 'enterprise'),
    site: get('site', 'site'),
    area: get('area', 'area'),
    line: get('line', 'line'),
    system: get('system', 'node-red'),
    timeZone: get('timeZone', 'UTC'),
  };
  for (const k of ['enterprise', 'site', 'area', 'line', 'system'] as const) {
    if (!SEGMENT.test(p[k])) throw new Error(`plant ${k} "${p[k]}" may hold only letters, digits, "_", "." and "-"`);
  }
  return p;
}

/** CloudEvents source: /<enterprise>/<site>/<area>/<line>/<system> */
export function sourceOf(p: PlantProfile): string {
  return `/${p.enterprise}/${p.site}/${p.area}/${p.line}/${p.system}`;
}

/** Backbone topic: <enterprise>/<site>/<area>/<line>/events/<domain>/<object>/<action> */
export function topicOf(p: PlantProfile, domain: string, object: string, action: string): string {
  return `${p.enterprise}/${p.site}/${p.area}/${p.line}/events/${domain}/${object}/${action}`;
}
