/**
 * Prometheus metrics (prom-client), one registry per app (no module-level state). What each metric means
 * is documented in the server README ("Metrics"). They are served only on METRICS_PORT (see main.ts),
 * never on the public port.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/connect.ts';
import type { Logger } from './logger.ts';

/** Seconds: from 0.25 ms (one small batch) to 2.5 s (a queue far behind). */
const LATENCY_BUCKETS = [
  0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

export type SubmissionOutcome = 'created' | 'invalid' | 'rate_limited' | 'db_unavailable' | 'error';
export type LimitName = 'submissions' | 'reports' | 'ws_connections' | 'ws_requests' | 'ws_in_flight';
export type WsOutcome =
  'answered' | 'malformed' | 'rate_limited' | 'too_many_in_flight' | 'unavailable' | 'internal';

export interface Metrics {
  registry: Registry;
  inferenceSeconds: Histogram;
  wsRequestSeconds: Histogram;
  inferenceQueueSeconds: Histogram;
  inferenceRunSeconds: Histogram;
  inferenceBatchSize: Histogram;
  wsConnections: Gauge;
  wsConnectionsOpened: Counter;
  wsRequests: Counter<'outcome'>;
  submissions: Counter<'outcome'>;
  limiterRefusals: Counter<'limit'>;
  limiterErrors: Counter<'limit'>;
  httpRequests: Counter<'method' | 'status'>;
  dbQueryErrors: Counter;
  /** Stops what the registry started (the process collectors' timers). */
  close(): void;
}

export function createMetrics(opts: { db?: Db; processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const m: Metrics = {
    registry,
    inferenceSeconds: new Histogram({
      name: 'cnn_inference_seconds',
      help: 'Server-side inference latency per request: queue wait + model run (WebSocket and submissions)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    wsRequestSeconds: new Histogram({
      name: 'cnn_ws_request_seconds',
      help: 'WebSocket INFER frames: from the frame read to its RESULT handed to the socket (decode, queue, run, encode)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceQueueSeconds: new Histogram({
      name: 'cnn_inference_queue_seconds',
      help: 'Time a request waited in the inference queue before its batch started',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceRunSeconds: new Histogram({
      name: 'cnn_inference_run_seconds',
      help: 'Time one batch took to run through the model',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceBatchSize: new Histogram({
      name: 'cnn_inference_batch_size',
      help: 'Requests run together in one batch (at most 64)',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    wsConnections: new Gauge({
      name: 'cnn_ws_connections',
      help: 'WebSocket connections open on this process',
      registers,
    }),
    wsConnectionsOpened: new Counter({
      name: 'cnn_ws_connections_opened_total',
      help: 'WebSocket connections accepted since the process started',
      registers,
    }),
    wsRequests: new Counter({
      name: 'cnn_ws_requests_total',
      help: 'WebSocket frames received, by what became of them',
      labelNames: ['outcome'],
      registers,
    }),
    submissions: new Counter({
      name: 'cnn_gallery_submissions_total',
      help: 'Gallery submissions (POST /api/gallery), by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    limiterRefusals: new Counter({
      name: 'cnn_limiter_refusals_total',
      help: 'Requests refused by a limit, by limit',
      labelNames: ['limit'],
      registers,
    }),
    limiterErrors: new Counter({
      name: 'cnn_limiter_errors_total',
      help: 'Shared-limit checks that failed because the database did not answer, by limit',
      labelNames: ['limit'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'cnn_http_requests_total',
      help: 'HTTP requests answered, by method and status class',
      labelNames: ['method', 'status'],
      registers,
    }),
    dbQueryErrors: new Counter({
      name: 'cnn_db_query_errors_total',
      help: 'Database queries that failed (the database away, a bad statement)',
      registers,
    }),
    close: () => registry.clear(),
  };
  const { db } = opts;
  if (db) {
    db.on('query-error', () => m.dbQueryErrors.inc());
    new Gauge({
      name: 'cnn_db_pool_connections',
      help: 'Database pool connections: used, free, and acquisitions waiting for one',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = (
          db.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }
        ).pool;
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
      },
    });
  }
  return m;
}

/** The metrics endpoint: `GET /metrics` in Prometheus's text format, nothing else. */
export function serveMetrics(registry: Registry, logger: Logger): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: Error) => {
        logger.error({ err: e }, 'metrics failed');
        res.writeHead(500).end();
      },
    );
  });
}
