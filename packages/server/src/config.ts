/**
 * Configuration: environment variables, parsed and validated once, at the edge (one zod schema, every
 * problem named at once). Everything else receives a `Config` object (tests build their own).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNormalization } from 'cnn-visualizer/description';
import { z } from 'zod';

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
  /**
   * The model the WebSocket backend and the gallery run: a `cnn.json` description (its ONNX file and
   * checkpoints beside it) or a bare `.onnx` file, read by the element's own ONNX reader.
   */
  modelPath: string;
  /**
   * How a bare `.onnx` model's input is normalised, as the element's `normalization` attribute reads
   * it (`mnist`, `unit`, `imagenet`, `mean/std`); unset: the reader's default, `unit`. A cnn.json says
   * its own. Checked against the model's channels when it is read.
   */
  modelNormalization?: string;
  /** Whether a bare `.onnx` model was trained on bright ink (the default, as MNIST) or dark ink. */
  modelInk?: 'bright' | 'dark';
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
  /**
   * Port of the Prometheus endpoint (`GET /metrics`), a listener of its own; unset: no metrics endpoint.
   * It binds `metricsHost` (127.0.0.1 by default): never expose it to the internet.
   */
  metricsPort?: number;
  metricsHost: string;
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

/** An unset or empty variable is absent. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** A positive number, as a string. */
const positive = (name: string) =>
  optional(
    z
      .string()
      .refine((v) => Number.isFinite(Number(v)) && Number(v) > 0, {
        error: (iss) => `${name} must be a positive number, got "${iss.input as string}"`,
      })
      .transform(Number),
  );

const port = (name: string) =>
  z
    .string()
    .refine((v) => /^\d{1,5}$/.test(v.trim()) && Number(v) <= 65535, {
      error: (iss) => `${name} must be an integer 0–65535, got "${iss.input as string}"`,
    })
    .transform(Number);

/** The environment the server reads, and how each variable is checked (messages name the variable). */
export const envSchema = z.object({
  PORT: optional(port('PORT')),
  HOST: optional(z.string()),
  DATABASE_URL: optional(
    z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must start with postgres:// or postgresql://' }),
  ),
  DATA_DIR: optional(z.string()),
  ADMIN_TOKEN: optional(z.string().min(16, { error: 'ADMIN_TOKEN must be at least 16 characters' })),
  TRUST_PROXY: optional(
    z
      .string()
      .trim()
      .refine((v) => /^[\w.:/, -]+$/.test(v), {
        error: (iss) =>
          `TRUST_PROXY must be true, false, a hop count or addresses, got "${iss.input as string}"`,
      })
      .transform((v): Config['trustProxy'] =>
        v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
      ),
  ),
  CORS_ORIGINS: optional(
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .superRefine((origins, ctx) => {
        for (const o of origins)
          if (!URL.canParse(o) || new URL(o).origin !== o)
            ctx.addIssue({
              code: 'custom',
              message: `CORS_ORIGINS entries must be origins like https://example.org, got "${o}"`,
            });
      }),
  ),
  LOG_LEVEL: optional(
    z.enum(LEVELS, {
      error: (iss) => `LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${iss.input as string}"`,
    }),
  ),
  MODEL_PATH: optional(
    z
      .string()
      .trim()
      .refine((v) => /\.(json|onnx)$/i.test(v), {
        error: (iss) =>
          `MODEL_PATH must name a cnn.json description or an .onnx file, got "${iss.input as string}"`,
      }),
  ),
  MODEL_NORMALIZATION: optional(
    z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        // the model's channel count is checked when the model is read: here, whether it reads at all
        const problems = [1, 3].map((channels) => {
          try {
            parseNormalization(v, channels);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        });
        if (problems.every(Boolean))
          ctx.addIssue({ code: 'custom', message: `MODEL_NORMALIZATION: ${problems[0]}` });
      }),
  ),
  MODEL_INK: optional(
    z.enum(['bright', 'dark'], {
      error: (iss) => `MODEL_INK must be bright or dark, got "${iss.input as string}"`,
    }),
  ),
  /** The older way to choose the model: the folder holding cnn.json. */
  MODEL_DIR: optional(z.string()),
  PUBLIC_URL: optional(
    z
      .string()
      .trim()
      .refine(
        (v) => {
          if (!URL.canParse(v)) return false;
          const u = new URL(v);
          return /^https?:$/.test(u.protocol) && u.pathname === '/' && !u.search && !u.hash;
        },
        {
          error: (iss) =>
            `PUBLIC_URL must be an origin like https://cnn.example.org, got "${iss.input as string}"`,
        },
      )
      .transform((v) => new URL(v).origin),
  ),
  METRICS_PORT: optional(port('METRICS_PORT')),
  METRICS_HOST: optional(z.string()),
  WS_REQUESTS_PER_SECOND: positive('WS_REQUESTS_PER_SECOND'),
  WS_MAX_CONNECTIONS_PER_CLIENT: positive('WS_MAX_CONNECTIONS_PER_CLIENT'),
  SUBMISSIONS_PER_MINUTE: positive('SUBMISSIONS_PER_MINUTE'),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      `invalid configuration:\n  - ${parsed.error.issues.map((i) => i.message).join('\n  - ')}`,
    );
  const e = parsed.data;
  const limits = { ...DEFAULT_LIMITS };
  if (e.WS_REQUESTS_PER_SECOND !== undefined) {
    limits.wsRequestsPerSecond = e.WS_REQUESTS_PER_SECOND;
    limits.wsBurst = Math.max(limits.wsBurst, 2 * e.WS_REQUESTS_PER_SECOND);
  }
  if (e.WS_MAX_CONNECTIONS_PER_CLIENT !== undefined)
    limits.wsMaxConnectionsPerClient = Math.floor(e.WS_MAX_CONNECTIONS_PER_CLIENT);
  if (e.SUBMISSIONS_PER_MINUTE !== undefined) {
    limits.submissionsPerMinute = e.SUBMISSIONS_PER_MINUTE;
    limits.submissionsBurst = Math.max(limits.submissionsBurst, Math.ceil(e.SUBMISSIONS_PER_MINUTE / 2));
  }
  const dir = (v: string | undefined, fallback: string) => (v ? (isAbsolute(v) ? v : resolve(v)) : fallback);

  return {
    port: e.PORT ?? 8080,
    host: e.HOST || '127.0.0.1',
    databaseUrl: e.DATABASE_URL,
    dataDir: dir(e.DATA_DIR, resolve(REPO_ROOT, '.data')),
    adminToken: e.ADMIN_TOKEN,
    trustProxy: e.TRUST_PROXY ?? false,
    corsOrigins: e.CORS_ORIGINS ?? [],
    logLevel: e.LOG_LEVEL ?? 'info',
    modelPath: dir(e.MODEL_PATH, join(dir(e.MODEL_DIR, resolve(REPO_ROOT, 'model')), 'cnn.json')),
    modelNormalization: e.MODEL_NORMALIZATION,
    modelInk: e.MODEL_INK,
    cdnDir: resolve(REPO_ROOT, 'packages/cnn-viz-element/dist/cdn'),
    siteDir: resolve(REPO_ROOT, 'packages/docs/dist/site'),
    docsDir: resolve(REPO_ROOT, 'packages/docs/dist/docs'),
    publicUrl: e.PUBLIC_URL,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST || '127.0.0.1',
    limits,
  };
}
