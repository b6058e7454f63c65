/**
 * Configuration: environment variables, parsed and validated once, at the edge. Everything else
 * receives a `Config` object (tests build their own).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Config {
  port: number;
  host: string;
  /** Postgres URL; when absent the gallery uses embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Bearer token for hiding drawings; when absent the admin route is disabled. */
  adminToken?: string;
  /** Express's `trust proxy`: false, true, a hop count or a list of addresses/subnets. */
  trustProxy: boolean | number | string;
  /** Origins allowed to write (POST/DELETE). Reads and /cdn/ are open to all. */
  corsOrigins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where cnn.onnx and cnn.json are. */
  modelDir: string;
  /** The element's drop-in bundle (served at /cdn/). */
  cdnDir: string;
  /** The built demo site (`packages/docs/dist/site`) and Storybook (`packages/docs/dist/docs`). */
  siteDir: string;
  docsDir: string;
  /**
   * The public origin of the site (`https://cnn.example.org`), for oEmbed answers and the links pages
   * carry. Unset: taken from each request's Host (behind a proxy, from X-Forwarded-* when TRUST_PROXY).
   */
  publicUrl?: string;
  limits: Limits;
}

export interface Limits {
  /** Gallery submissions per client: burst and sustained rate per minute. */
  submissionsBurst: number;
  submissionsPerMinute: number;
  /** WebSocket: requests per second per connection (sustained) and burst. */
  wsRequestsPerSecond: number;
  wsBurst: number;
  wsMaxInFlight: number;
  wsMaxPayload: number;
  /** WebSocket connections open at once from one client address (a classroom behind one NAT shares it). */
  wsMaxConnectionsPerClient: number;
  /** JSON body limit for the API. */
  bodyBytes: number;
  /** Reports after which a drawing is hidden until an admin looks at it. */
  reportsToHide: number;
}

export const DEFAULT_LIMITS: Limits = {
  submissionsBurst: 5,
  submissionsPerMinute: 10,
  wsRequestsPerSecond: 120,
  wsBurst: 240,
  wsMaxInFlight: 16,
  wsMaxPayload: 4096,
  wsMaxConnectionsPerClient: 64,
  bodyBytes: 16 * 1024,
  reportsToHide: 3,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be an integer 0–65535, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken && adminToken.length < 16) problems.push('ADMIN_TOKEN must be at least 16 characters');
  let trustProxy: Config['trustProxy'] = false;
  const tp = env.TRUST_PROXY?.trim();
  if (tp) {
    if (tp === 'true') trustProxy = true;
    else if (tp === 'false') trustProxy = false;
    else if (/^\d+$/.test(tp)) trustProxy = Number(tp);
    else if (/^[\w.:/, -]+$/.test(tp)) trustProxy = tp;
    else problems.push(`TRUST_PROXY must be true, false, a hop count or addresses, got "${tp}"`);
  }
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    try {
      const u = new URL(o);
      if (u.origin !== o) throw new Error();
    } catch {
      problems.push(`CORS_ORIGINS entries must be origins like https://example.org, got "${o}"`);
    }
  }
  const limits = { ...DEFAULT_LIMITS };
  const positive = (name: string, apply: (n: number) => void) => {
    const v = env[name];
    if (v === undefined || v === '') return;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) problems.push(`${name} must be a positive number, got "${v}"`);
    else apply(n);
  };
  positive('WS_REQUESTS_PER_SECOND', (n) => {
    limits.wsRequestsPerSecond = n;
    limits.wsBurst = Math.max(limits.wsBurst, 2 * n);
  });
  positive('WS_MAX_CONNECTIONS_PER_CLIENT', (n) => (limits.wsMaxConnectionsPerClient = Math.floor(n)));
  positive('SUBMISSIONS_PER_MINUTE', (n) => {
    limits.submissionsPerMinute = n;
    limits.submissionsBurst = Math.max(limits.submissionsBurst, Math.ceil(n / 2));
  });
  let publicUrl: string | undefined;
  if (env.PUBLIC_URL?.trim()) {
    try {
      const u = new URL(env.PUBLIC_URL.trim());
      if (!/^https?:$/.test(u.protocol) || u.pathname !== '/' || u.search || u.hash) throw new Error();
      publicUrl = u.origin;
    } catch {
      problems.push(`PUBLIC_URL must be an origin like https://cnn.example.org, got "${env.PUBLIC_URL}"`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const dir = (v: string | undefined, fallback: string) => (v ? (isAbsolute(v) ? v : resolve(v)) : fallback);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir: dir(env.DATA_DIR, resolve(REPO_ROOT, '.data')),
    adminToken,
    trustProxy,
    corsOrigins,
    logLevel,
    modelDir: dir(env.MODEL_DIR, resolve(REPO_ROOT, 'model')),
    cdnDir: resolve(REPO_ROOT, 'packages/cnn-viz-element/dist/cdn'),
    siteDir: resolve(REPO_ROOT, 'packages/docs/dist/site'),
    docsDir: resolve(REPO_ROOT, 'packages/docs/dist/docs'),
    publicUrl,
    limits,
  };
}
