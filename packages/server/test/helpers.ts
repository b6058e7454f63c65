/**
 * Test servers: a real server (createApp) on a real database — Postgres in a schema of its own, or
 * embedded PGlite in memory — listening on a free loopback port. The model is loaded once per file.
 */
import { randomBytes } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { createApp, type App } from '../src/app.ts';
import { DEFAULT_LIMITS, loadConfig, type Config, type Limits } from '../src/config.ts';
import { connect, migrate, type Db } from '../src/db/connect.ts';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { createLogger, type Logger } from '../src/logger.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type DbKind = 'postgres' | 'pglite';

let runner: Promise<ModelRunner> | undefined;
export const sharedRunner = (modelPath = loadConfig({}).modelPath) =>
  (runner ??= ModelRunner.load(modelPath));

export interface TestServer {
  url: string;
  wsUrl: string;
  db: Db;
  app: App;
  config: Config;
  /** the model this server runs (closed with the server) */
  runner: ModelRunner;
  /** the Postgres schema this server's tables live in (postgres only) */
  schema?: string;
  close(): Promise<void>;
}

export async function startServer(
  kind: DbKind,
  overrides: {
    limits?: Partial<Limits>;
    adminToken?: string;
    corsOrigins?: string[];
    databaseUrl?: string;
    trustProxy?: Config['trustProxy'];
    /** a logger of the test's own (default: silent) */
    logger?: Logger;
    /** share another server's Postgres schema (two processes of one deployment); it drops the schema */
    schema?: string;
  } = {},
): Promise<TestServer> {
  const ownSchema = kind === 'postgres' && !overrides.schema;
  const schema =
    kind === 'postgres' ? (overrides.schema ?? `test_${randomBytes(6).toString('hex')}`) : undefined;
  const db = connect({
    databaseUrl: kind === 'postgres' ? (overrides.databaseUrl ?? TEST_DATABASE_URL) : undefined,
    schema,
  });
  await migrate(db, schema);
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    adminToken: overrides.adminToken,
    corsOrigins: overrides.corsOrigins ?? [],
    trustProxy: overrides.trustProxy ?? false,
    logLevel: 'silent',
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
  // each server gets its own runner: closing the app closes it
  const runner = await ModelRunner.load(config.modelPath);
  const app = createApp({
    config,
    db,
    runner,
    logger: overrides.logger ?? createLogger(config),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    db,
    app,
    config,
    runner,
    schema,
    async close() {
      await app.close();
      if (schema && ownSchema) await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await db.destroy();
    },
  };
}

/** A few MNIST test digits (784 bytes each) with their labels. */
export async function mnistDigits(count: number, start = 0) {
  const { loadMnist } = await import('../../../model/src/mnist.ts');
  const set = loadMnist('test');
  return Array.from({ length: count }, (_, k) => ({
    pixels: set.images.slice((start + k) * 784, (start + k + 1) * 784),
    label: set.labels[start + k],
  }));
}

/** A response with its parsed JSON body (tests read fields freely). */
export async function json(res: Response) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body: any = await res.json();
  return { status: res.status, body, headers: res.headers };
}

/** A TCP proxy to the real Postgres that the test can cut and restore. */
export async function dbProxy(target: URL) {
  const open = new Set<Socket>();
  let server: Server | undefined;
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(Number(target.port || 5432), target.hostname);
        open.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      }).listen(port, '127.0.0.1', () => resolve());
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      open.clear();
      server!.close(() => resolve());
    });
  await start();
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.href, cut, restore: start };
}
