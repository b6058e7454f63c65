// Scale-out, as the README's "Deploy" section runs it: Caddy in front of three compiled server processes
// (plain `node dist/main.js`) sharing one real Postgres database, on loopback. Readers — each from an
// address of its own (127.0.0.x), each with the element's own WebSocketBackend — infer and share
// drawings; one process is killed with SIGKILL mid-run. Nothing a reader was told is lost, their
// WebSockets come back by themselves, and one address flooding submissions gets the single limit, however
// the balancer spreads its requests over the processes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knex from 'knex';
import WebSocket from 'ws';
import { WebSocketBackend } from '../../cnn-viz-element/src/inference/websocket-backend.ts';
import { validateDescription } from '../../cnn-viz-element/src/model/description.ts';
import { loadMnist } from '../../../model/src/mnist.ts';
import { loadConfig } from '../../server/src/config.ts';
import { ModelRunner } from '../../server/src/inference/model-runner.ts';
import { spawnServer, type ServerProcess } from '../../server/test/server-process.ts';
import { readFileSync } from 'node:fs';

const REPO = join(import.meta.dirname, '../../..');
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = `cnn_scale_${process.pid}`;
const dbUrl = () => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.href;
};
/** SUBMISSIONS_PER_MINUTE=10 gives a burst of max(5, 10 / 2) = 5 (packages/server/README.md). */
const SUBMISSIONS_PER_MINUTE = 10;
const BURST = 5;

const mnist = loadMnist('test');
const digit = (i: number) => mnist.images.slice(i * 784, (i + 1) * 784);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let servers: ServerProcess[] = [];
/** each process's METRICS_PORT */
const metricsPorts: number[] = [];
let caddy: ChildProcess;
let caddyLog = '';
let site: string;
/** what the model says about the first digits, computed in this process, without any server */
let expected: number[] = [];
const model = validateDescription(JSON.parse(readFileSync(join(REPO, 'model/cnn.json'), 'utf8')));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${caddyLog.slice(-2000)}`);
    await sleep(100);
  }
}

/** An HTTP request through Caddy from `localAddress` (a reader's own loopback address). */
function call(
  method: string,
  path: string,
  localAddress: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${site}${path}`,
      {
        method,
        localAddress,
        agent: false,
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON (a proxy error page) */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The `ws` package bound to one source address, as the backend's WebSocket implementation. */
function boundWebSocket(localAddress: string): typeof globalThis.WebSocket {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress });
    }
  } as unknown as typeof globalThis.WebSocket;
}

/** A gauge or counter's value in a process's Prometheus metrics. */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name} in the metrics`);
  return Number(m[1]);
}

before(async () => {
  const admin = knex({ client: 'pg', connection: ADMIN_URL });
  await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${DB}`);
  await admin.destroy();
  const runner = await ModelRunner.load(loadConfig({}).modelPath);
  expected = await Promise.all(
    Array.from({ length: 40 }, (_, i) => runner.infer(digit(i)).then((r) => r.prediction)),
  );
  await runner.close();
  // request logs (info) tell which process served a request
  const env = {
    DATABASE_URL: dbUrl(),
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'info',
    SUBMISSIONS_PER_MINUTE: String(SUBMISSIONS_PER_MINUTE),
  };
  // the first applies the migrations; the others start together
  const withMetrics = async () => {
    metricsPorts.push(await freePort());
    return { ...env, METRICS_PORT: String(metricsPorts.at(-1)) };
  };
  const first = await spawnServer(await withMetrics(), { compiled: true });
  const [e2, e3] = [await withMetrics(), await withMetrics()];
  servers = [
    first,
    ...(await Promise.all([spawnServer(e2, { compiled: true }), spawnServer(e3, { compiled: true })])),
  ];
  site = `http://127.0.0.1:${await freePort()}`;
  caddy = spawn('caddy', ['run', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      SITE_ADDRESS: site,
      UPSTREAMS: servers.map((s) => `127.0.0.1:${s.port}`).join(' '),
      CADDY_ADMIN: 'off',
      HOME: process.env.HOME ?? '/tmp',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  caddy.stderr!.on('data', (d) => (caddyLog += d));
  await until('Caddy', async () => (await fetch(`${site}/readyz`).catch(() => null))?.status === 200);
});

after(async () => {
  caddy?.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.stop()));
  const admin = knex({ client: 'pg', connection: ADMIN_URL });
  await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.destroy();
});

describe('three server processes behind Caddy on one Postgres', () => {
  it('holds one address flooding submissions to the single limit, though its requests reach every process', async () => {
    const marker = `flood-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(
          'POST',
          '/api/gallery',
          '127.0.0.66',
          { pixels: Array.from(digit(i)), label: mnist.labels[i] },
          {
            // a spoofed address changes nothing: Caddy replaces it with the one it sees
            'x-forwarded-for': `198.51.100.${i}`,
            'x-request-id': `${marker}-${i}`,
          },
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 201).length, BURST, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 30 - BURST);
    const refused = answers.find((a) => a.status === 429)!.body as { error: string };
    assert.match(refused.error, /too many submissions/);
    // the processes' request logs name the markers: the flood was spread, the limit held anyway
    await until('the request logs', () => servers.every((s) => s.output().includes(marker)), 5000).catch(
      () => {},
    );
    const served = servers.filter((s) => s.output().includes(marker)).length;
    assert.ok(served >= 2, `the flood reached ${served} of 3 processes`);
    // another reader is not affected
    const other = await call('POST', '/api/gallery', '127.0.0.67', {
      pixels: Array.from(digit(3)),
      label: mnist.labels[3],
    });
    assert.equal(other.status, 201);
  });

  it('survives a process killed with SIGKILL: every 201 is stored, readers’ WebSockets resume, no inference fails', async () => {
    const READERS = 6;
    let running = true;
    const created: { id: number; label: number }[] = [];
    const refusedSubmissions: number[] = [];
    const inferErrors: string[] = [];
    const wrong: string[] = [];
    const results = Array.from({ length: READERS }, () => 0);
    const statuses = Array.from({ length: READERS }, () => [] as string[]);
    /** each reader's connection states until the end of the run (before it disposes its backend) */
    const seen: string[][] = [];

    const reader = async (k: number) => {
      const address = `127.0.0.${30 + k}`;
      const backend = new WebSocketBackend(model, {
        url: site.replace(/^http/, 'ws') + '/ws',
        encoding: 'uint8',
        timeoutMs: 15_000,
        backoff: { initialMs: 100, maxMs: 1000 },
        onStatus: (s) => statuses[k].push(s),
        WebSocketImpl: boundWebSocket(address),
      });
      let n = 0;
      let lastShared = 0;
      try {
        while (running) {
          const i = (k * 7 + n++) % expected.length;
          try {
            const a = await backend.infer(digit(i));
            results[k]++;
            if (a.prediction !== expected[i]) wrong.push(`reader ${k}, digit ${i}: ${a.prediction}`);
          } catch (e) {
            inferErrors.push(`reader ${k}: ${(e as Error).message}`);
          }
          if (Date.now() - lastShared > 3000) {
            // every 3 s the reader shares a drawing (under the limit of 5 per 30 s)
            lastShared = Date.now();
            const r = await call('POST', '/api/gallery', address, {
              pixels: Buffer.from(digit(i)).toString('base64'),
              label: mnist.labels[i],
            }).catch(() => ({ status: 0, body: null }));
            if (r.status === 201) created.push({ id: (r.body as { id: number }).id, label: mnist.labels[i] });
            else refusedSubmissions.push(r.status);
          }
          await sleep(20);
        }
      } finally {
        seen[k] = [...statuses[k]];
        backend.dispose();
      }
    };
    const readers = Array.from({ length: READERS }, (_, k) => reader(k));

    await until('every reader inferring', () => results.every((n) => n >= 5));
    // least_conn spread the readers' sockets; the process holding most of them is killed
    const held = await Promise.all(metricsPorts.map((p) => metric(p, 'cnn_ws_connections')));
    assert.equal(
      held.reduce((a, b) => a + b, 0),
      READERS,
      `the processes hold one socket per reader: ${held.join(', ')}`,
    );
    const v = held.indexOf(Math.max(...held));
    const victim = servers[v];
    const before = [...results];
    victim.child.kill('SIGKILL');
    await until(
      'the killed process to exit',
      () => victim.child.exitCode !== null || victim.child.signalCode !== null,
    );
    await sleep(6000);
    running = false;
    await Promise.all(readers);

    assert.deepEqual(inferErrors, [], 'no inference failed: requests in flight were sent again');
    assert.deepEqual(wrong, [], 'every answer is the model’s');
    for (let k = 0; k < READERS; k++)
      assert.ok(
        results[k] - before[k] >= 10,
        `reader ${k} went on after the kill: ${results[k] - before[k]} answers`,
      );
    // the readers whose socket the killed process held lost it, and came back on another process
    const dropped = seen.filter((s) => s.includes('closed')).length;
    assert.equal(dropped, held[v], `readers that lost their socket: ${JSON.stringify(seen)}`);
    assert.deepEqual(
      seen.map((s) => s.at(-1)),
      Array(READERS).fill('open'),
      'every reader is connected at the end',
    );
    const survivors = metricsPorts.filter((_, i) => i !== v);
    await until(
      'the readers’ sockets to close on the surviving processes',
      async () =>
        (await Promise.all(survivors.map((p) => metric(p, 'cnn_ws_connections')))).every((n) => n === 0),
      5000,
    );

    // every submission answered 201 is in the database, with the label the reader meant
    assert.ok(created.length >= READERS, `${created.length} submissions accepted`);
    const db = knex({ client: 'pg', connection: dbUrl() });
    try {
      const rows = await db('gallery_drawings')
        .select('id', 'label')
        .whereIn(
          'id',
          created.map((c) => c.id),
        );
      const stored = new Map(rows.map((r) => [Number(r.id), Number(r.label)]));
      for (const c of created) assert.equal(stored.get(c.id), c.label, `drawing ${c.id} is stored`);
    } finally {
      await db.destroy();
    }
    // the rest were refused in a way the reader sees (a proxy error while the process died), never 429
    assert.ok(!refusedSubmissions.includes(429), `refused: ${refusedSubmissions.join(' ')}`);
  });
});
