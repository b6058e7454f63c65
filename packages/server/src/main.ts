/**
 * `npm start`: migrate, load the model, listen; print the URL. SIGTERM/SIGINT: stop accepting, finish
 * in-flight work, close WebSockets with 1001, close the database, exit.
 */
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { connect, migrate } from './db/connect.ts';
import { ModelRunner } from './inference/model-runner.ts';
import { createLogger } from './logger.ts';
import { serveMetrics } from './metrics.ts';
import { join } from 'node:path';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger(config);
const db = connect({
  databaseUrl: config.databaseUrl,
  pgliteDir: config.databaseUrl ? undefined : join(config.dataDir, 'pglite'),
});
// the model loads (compiling onnxruntime's wasm) while the migrations run
const loading = ModelRunner.load(config.modelPath, {
  normalization: config.modelNormalization,
  ink: config.modelInk,
});
loading.catch(() => undefined);
try {
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
} catch (e) {
  logger.fatal({ err: e }, 'cannot migrate the database');
  process.exit(1);
}
let runner;
try {
  runner = await loading;
} catch (e) {
  // a model that cannot be read or shown (MODEL_PATH): the reason, in words, and no server
  logger.fatal({ err: e }, 'cannot load the model');
  console.error(`cannot load the model: ${(e as Error).message}`);
  process.exit(1);
}
const { server, close, metrics } = createApp({ config, db, runner, logger, processMetrics: true });
// Prometheus metrics on a port of their own (METRICS_PORT), never on the public one
const metricsServer = config.metricsPort === undefined ? undefined : serveMetrics(metrics.registry, logger);
metricsServer?.listen(config.metricsPort, config.metricsHost, () =>
  logger.info({ port: config.metricsPort, host: config.metricsHost }, 'metrics at /metrics'),
);
server.listen(config.port, config.host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`;
  logger.info({ url, database: db.kind, model: runner.version }, 'listening');
  console.log(
    `cnn-visualizer is running at ${url} (database: ${db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres'})`,
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took longer than 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    metricsServer?.close();
    await close();
    await db.destroy();
    logger.info('bye');
    process.exit(0);
  } catch (e) {
    logger.error({ err: e }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
