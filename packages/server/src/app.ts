/**
 * The app factory: everything the server is, built from its dependencies, so each test builds an
 * isolated server on a real database. No module-level state.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import proxyaddr from 'proxy-addr';
import type { Config } from './config.ts';
import { ping, type Db } from './db/connect.ts';
import { galleryRoutes } from './gallery/routes.ts';
import { GalleryRepository } from './gallery/repository.ts';
import { clientHash, newSalt } from './http/client-id.ts';
import { errorHandler, HttpError } from './http/errors.ts';
import type { ModelRunner } from './inference/model-runner.ts';
import { ConnectionCounts } from './limits/connection-counts.ts';
import { createRateLimits } from './limits/rate-limits.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { oembedRoutes } from './site/oembed.ts';
import { siteRoutes } from './site/pages.ts';
import { attachInferenceSocket, type InferenceSocket } from './ws/inference-socket.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  runner: ModelRunner;
  logger: Logger;
  /** process metrics (CPU, memory, event loop, GC) in the registry too: main.ts turns them on */
  processMetrics?: boolean;
}

export interface App {
  app: Express;
  server: Server;
  socket: InferenceSocket;
  /** Prometheus metrics; main.ts serves `metrics.registry` on METRICS_PORT */
  metrics: Metrics;
  /** Stops accepting, closes WebSockets with 1001, lets in-flight requests finish. */
  close(): Promise<void>;
}

/** What our pages may load: the element needs 'wasm-unsafe-eval' for onnxruntime-web. */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  // blob: a model file the reader picks is read from an object URL (never uploaded); https:/http: a
  // model a teacher hosts elsewhere (`/?model=`, `/embed?model=`; CORS decides). (http: only reaches
  // anything from plain-http pages: https pages block mixed content.)
  connectSrc: ["'self'", 'ws:', 'wss:', 'blob:', 'https:', 'http:'],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  // only /embed is meant for other sites' iframes; every other page may be framed by this site only
  frameAncestors: [
    (req: IncomingMessage) => (new URL(req.url ?? '/', 'http://x').pathname === '/embed' ? '*' : "'self'"),
  ],
  baseUri: ["'self'"],
  // pages are served over plain HTTP on loopback in development; Caddy terminates TLS in production
  upgradeInsecureRequests: null,
};

export function createApp(deps: AppDeps): App {
  const { config, db, runner, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const repo = new GalleryRepository(db);
  let saltPromise: Promise<string> | undefined;
  const salt = () => {
    saltPromise ??= repo.setting('client_salt', newSalt);
    saltPromise.catch(() => (saltPromise = undefined));
    return saltPromise;
  };
  const processSalt = newSalt();
  let shuttingDown = false;
  const metrics = createMetrics({ db, processMetrics: deps.processMetrics });
  const onBatch = (t: { size: number; waitsMs: number[]; runMs: number }) => {
    metrics.inferenceBatchSize.observe(t.size);
    metrics.inferenceRunSeconds.observe(t.runMs / 1000);
    for (const w of t.waitsMs) {
      metrics.inferenceQueueSeconds.observe(w / 1000);
      metrics.inferenceSeconds.observe((w + t.runMs) / 1000);
    }
  };
  runner.batchListeners.add(onBatch);
  // per-client limits: in the database on Postgres (shared by every process), in memory on PGlite
  const rateLimits = createRateLimits(db, [
    {
      name: 'submissions',
      burst: config.limits.submissionsBurst,
      perSecond: config.limits.submissionsPerMinute / 60,
    },
    // reports: a burst of 10, then one every 6 s per client
    { name: 'reports', burst: 10, perSecond: 1 / 6 },
  ]);
  const connections = new ConnectionCounts(db, {
    onError: () => metrics.limiterErrors.inc({ limit: 'ws_connections' }),
  });

  // request logs: request id, method, path, status, time — never the client's address or headers
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request',
      // 4xx are the client's business, 5xx ours
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      quietReqLogger: true,
    }),
  );
  app.use((req, res, next) => {
    res.on('finish', () =>
      metrics.httpRequests.inc({ method: req.method, status: `${Math.floor(res.statusCode / 100)}xx` }),
    );
    if (shuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: { directives: CSP },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      crossOriginEmbedderPolicy: false,
      frameguard: false, // /embed is meant for iframes; CSP frame-ancestors governs framing
    }),
  );

  // ── operations ──
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const reasons: string[] = [];
    if (shuttingDown) reasons.push('shutting down');
    try {
      await ping(db, 1500);
    } catch (e) {
      reasons.push(`database: ${(e as Error).message}`);
    }
    if (reasons.length) res.status(503).json({ status: 'unavailable', reasons });
    else res.json({ status: 'ready', model: runner.version, database: db.kind });
  });

  // ── API: reads open to every origin; writes only from CORS_ORIGINS ──
  const readCors = cors({ origin: '*', methods: ['GET', 'HEAD'] });
  const writeCors = cors({
    origin: config.corsOrigins,
    methods: ['POST', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization'],
  });
  app.use('/api', (req, res, next) =>
    (req.method === 'GET' || req.method === 'HEAD' ? readCors : writeCors)(req, res, next),
  );
  app.use('/api', (req, _res, next) => {
    // a browser writing from an origin we do not know is refused outright (CORS alone would still run it)
    const origin = req.get('origin');
    if (
      (req.method === 'POST' || req.method === 'DELETE') &&
      origin &&
      !config.corsOrigins.includes(origin) &&
      origin !== selfOrigin(req)
    )
      return next(new HttpError(403, `writes are not accepted from ${origin}`));
    next();
  });
  app.use('/api', express.json({ limit: config.limits.bodyBytes, strict: true }));
  app.use(
    '/api',
    galleryRoutes({
      repo,
      runner,
      limits: config.limits,
      rateLimits,
      metrics,
      adminToken: config.adminToken,
      salt,
    }),
  );
  app.use('/api', (_req, _res, next) => next(new HttpError(404, 'no such API route')));

  // ── static: the drop-in bundle, docs, the site ──
  const cdn = express.static(config.cdnDir, {
    fallthrough: false,
    setHeaders: (res, path) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      // hashed chunks never change; the entry point and the model may
      res.setHeader(
        'Cache-Control',
        /chunks[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      );
    },
  });
  app.use('/cdn', (req, res, next) =>
    existsSync(config.cdnDir)
      ? cdn(req, res, next)
      : next(new HttpError(404, 'the drop-in bundle is not built: run npm run build')),
  );
  app.use(oembedRoutes({ publicUrl: config.publicUrl }));
  app.use(siteRoutes({ siteDir: config.siteDir, docsDir: config.docsDir, publicUrl: config.publicUrl }));
  app.use((_req, _res, next) => next(new HttpError(404, 'not found')));
  app.use(errorHandler(logger));

  const server = createServer(app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  const socket = attachInferenceSocket(server, {
    runner,
    limits: config.limits,
    logger,
    metrics,
    connections,
    isShuttingDown: () => shuttingDown,
    // the client's salted hash, as the gallery stores it; while the database (which keeps the salt) has
    // never answered, a hash with a salt of this process's own (counted by this process only)
    clientKey: async (req) => {
      const address = proxyaddr(req, app.get('trust proxy fn'));
      try {
        return clientHash(await salt(), address);
      } catch {
        return `local:${clientHash(processSalt, address)}`;
      }
    },
  });

  return {
    app,
    server,
    socket,
    metrics,
    async close() {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await socket.closeAll();
      await connections.close();
      await runner.close();
      runner.batchListeners.delete(onBatch);
      const timer = setTimeout(() => server.closeAllConnections(), 8000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function selfOrigin(req: express.Request): string {
  return `${req.protocol}://${req.get('host')}`;
}
