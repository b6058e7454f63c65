/**
 * Start-up time and idle memory of one server process, the way an operator runs it: the compiled server
 * (`node dist/main.js`) against the TypeScript sources through tsx, on real Postgres (migrations already
 * applied, as for every start but the first) and on the embedded database.
 *
 * For each: STARTUP_RUNS (3) starts; the time from spawning the process to the first `GET /readyz` that
 * answers 200 (polled every 10 ms), and the resident memory (VmRSS) after 10 s idle.
 */
import { readFileSync } from 'node:fs';
import knex from 'knex';
import { ensureCompiled, spawnServer } from '../test/server-process.ts';

const RUNS = Number(process.env.STARTUP_RUNS ?? 3);
const IDLE_MS = Number(process.env.STARTUP_IDLE_MS ?? 10_000);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = `cnn_startup_${process.pid}`;
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DB}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rss = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

ensureCompiled();
const admin = knex({ client: 'pg', connection: ADMIN_URL });
await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.raw(`CREATE DATABASE ${DB}`);

async function measure(env: Record<string, string>, compiled: boolean) {
  const t0 = performance.now();
  const server = await spawnServer(env, { compiled });
  while ((await fetch(`${server.url}/readyz`).catch(() => null))?.status !== 200) await sleep(10);
  const ready = performance.now() - t0;
  await sleep(IDLE_MS);
  const idle = rss(server.child.pid!);
  await server.stop();
  return { ready, idle };
}

// the first start applies the migrations: not measured
await (await spawnServer({ DATABASE_URL: dbUrl.href }, { compiled: true })).stop();

const rows: string[] = [];
for (const [label, env, compiled] of [
  ['compiled (`node dist/main.js`), Postgres', { DATABASE_URL: dbUrl.href }, true],
  ['sources through tsx, Postgres', { DATABASE_URL: dbUrl.href }, false],
  ['compiled, embedded PGlite', {}, true],
] as const) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(env, compiled));
  const ready = runs.map((r) => r.ready);
  const idle = runs.map((r) => r.idle);
  rows.push(
    `| ${label} | ${median(ready).toFixed(0)} ms (${Math.min(...ready).toFixed(0)}–${Math.max(...ready).toFixed(0)}) | ${median(idle).toFixed(0)} MB (${Math.min(...idle).toFixed(0)}–${Math.max(...idle).toFixed(0)}) |`,
  );
  console.error(label, runs);
}
await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.destroy();

console.log(
  `\n| one server process (${RUNS} starts each) | start → /readyz 200, median (range) | RSS after ${IDLE_MS / 1000} s idle, median (range) |`,
);
console.log('|---|---:|---:|');
for (const r of rows) console.log(r);
