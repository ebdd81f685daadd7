// Port selection shared by the simulators: explicit option, else env variable, else default.
export interface StartOptions {
  port?: number;
  host?: string;
  /** serve HTTPS with this key and certificate (PEM) instead of HTTP */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export function pickPort(opts: StartOptions, envVar: string, fallback: number): number {
  if (opts.port !== undefined && opts.port !== null) return Number(opts.port);
  const env = process.env[envVar];
  if (env !== undefined && env !== '') {
    const p = Number(env);
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`${envVar}="${env}" is not a port number`);
    return p;
  }
  return fallback;
}

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}
