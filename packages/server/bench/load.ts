/**
 * `npm run load`: the hosted deployment under load on loopback, bounded in time, stops by itself.
 *
 * LOAD_PROCESSES (1) compiled server processes (`node dist/main.js`) on one real Postgres database, behind
 * Caddy (the repository's Caddyfile), each with its metrics endpoint. Then:
 *
 * - LOAD_CLIENTS (500) WebSocket clients for LOAD_SECONDS (60), each from an address of its own
 *   (127.1.x.y: Caddy forwards it, as it would a real reader's), each inferring with one request in
 *   flight — in a closed loop, or at most LOAD_RATE requests per second per client when set;
 * - readers sharing drawings (each from its own address) and loading pages and API reads;
 * - one abusive reader flooding submissions from one address, held to the limit across the processes.
 *
 * The load generator pins itself to the CPUs in LOAD_CPUS (default "1") once the servers and Caddy are
 * started (they keep every CPU), so on a small machine it cannot starve the server of both cores.
 *
 * Prints the client-side latency, the server-side latency from the servers' own histograms
 * (`cnn_ws_request_seconds`: frame read → answer handed to the socket, and `cnn_inference_seconds`: queue
 * + run), batch sizes, errors, refusals and each process's memory before and after.
 *
 * Other knobs: LOAD_DIRECT=1 (one process, no Caddy), LOAD_DATABASE_URL (a Postgres server to create
 * the load database on; default TEST_DATABASE_URL or the local one).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import knex from 'knex';
import { decodeServerFrame, encodeInferRequest, Encoding } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { loadMnist } from '../../../model/src/mnist.ts';
import { ensureCompiled, spawnServer, type ServerProcess } from '../test/server-process.ts';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 500);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const PROCESSES = Number(process.env.LOAD_PROCESSES ?? 1);
const RATE = Number(process.env.LOAD_RATE ?? 0);
const CPUS = process.env.LOAD_CPUS ?? '1';
const DIRECT = process.env.LOAD_DIRECT === '1' && PROCESSES === 1;
const ADMIN_URL =
  process.env.LOAD_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPO = join(import.meta.dirname, '../../..');
const DB = `cnn_load_${process.pid}`;
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DB}`;

const mnist = loadMnist('test');
const digit = (i: number) => mnist.images.subarray((i % 10_000) * 784, ((i % 10_000) + 1) * 784);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f = (n: number) => n.toFixed(1);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

// ── the deployment ──
const admin = knex({ client: 'pg', connection: ADMIN_URL });
await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.raw(`CREATE DATABASE ${DB}`);
ensureCompiled();
const servers: { proc: ServerProcess; metricsPort: number; startMs: number }[] = [];
for (let i = 0; i < PROCESSES; i++) {
  const metricsPort = await freePort();
  const t = performance.now();
  const proc = await spawnServer(
    {
      DATABASE_URL: dbUrl.href,
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'warn',
      METRICS_PORT: String(metricsPort),
    },
    { compiled: true },
  );
  while ((await fetch(`${proc.url}/readyz`).catch(() => null))?.status !== 200) await sleep(20);
  servers.push({ proc, metricsPort, startMs: performance.now() - t });
}
let caddy: ChildProcess | undefined;
let url = servers[0].proc.url;
if (!DIRECT) {
  url = `http://127.0.0.1:${await freePort()}`;
  caddy = spawn('caddy', ['run', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      SITE_ADDRESS: url,
      UPSTREAMS: servers.map((s) => `127.0.0.1:${s.proc.port}`).join(' '),
      CADDY_ADMIN: 'off',
      HOME: process.env.HOME ?? '/tmp',
    },
    stdio: ['ignore', 'ignore', process.env.LOAD_CADDY_LOG ? 'pipe' : 'ignore'],
  });
  // LOAD_CADDY_LOG=file keeps Caddy's log (upstream health, proxy errors)
  if (process.env.LOAD_CADDY_LOG) caddy.stderr!.pipe(createWriteStream(process.env.LOAD_CADDY_LOG));
  while ((await fetch(`${url}/readyz`).catch(() => null))?.status !== 200) await sleep(50);
}
// from here on, this process (every thread) runs on LOAD_CPUS only
try {
  execFileSync('taskset', ['-a', '-cp', CPUS, String(process.pid)], { stdio: 'ignore' });
} catch {
  console.error(`(could not pin the load generator to CPUs ${CPUS}: taskset failed)`);
}

const rss = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const wsUrl = url.replace(/^http/, 'ws') + '/ws';

/** A reader's address: 127.1.x.y (the whole of 127/8 is this machine's loopback). */
const address = (net: number, k: number) => `127.${net}.${(k >> 8) & 255}.${(k & 255) + 1}`;

/** HTTP answers by status (0: no answer within 10 s, or the connection failed). */
const httpStatuses: Record<string, number> = {};
const failures: Record<number, string> = {};
/** An HTTP request from `localAddress`; resolves with the status once the body is read. */
function call(method: string, path: string, localAddress: string, body?: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const req = request(
      url + path,
      {
        method,
        localAddress,
        agent: false,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          // what a failure said (the server's JSON error, or the proxy's own answer), once per status
          if (status >= 500) failures[status] ??= `${res.headers.server ?? ''} ${text.slice(0, 120)}`;
          resolve(status);
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  }).then((status) => {
    const key = `${method} ${path.split('?')[0]} ${status}`;
    httpStatuses[key] = (httpStatuses[key] ?? 0) + 1;
    return status;
  });
}

// ── Prometheus histograms, read before and after the run ──
type Histogram = { buckets: [number, number][]; count: number; sum: number };
async function histogram(name: string): Promise<Histogram> {
  const total: Histogram = { buckets: [], count: 0, sum: 0 };
  for (const s of servers) {
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
    let m;
    let i = 0;
    while ((m = re.exec(text))) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      total.buckets[i] ??= [le, 0];
      total.buckets[i++][1] += Number(m[2]);
    }
    total.count += Number(new RegExp(`^${name}_count (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    total.sum += Number(new RegExp(`^${name}_sum (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  }
  return total;
}
const minus = (a: Histogram, b: Histogram): Histogram => ({
  buckets: a.buckets.map(([le, n], i) => [le, n - (b.buckets[i]?.[1] ?? 0)]),
  count: a.count - b.count,
  sum: a.sum - b.sum,
});
/** Prometheus's histogram_quantile: linear within the bucket the quantile falls in (ms). */
function quantile(h: Histogram, q: number): number {
  const rank = q * h.count;
  let prevLe = 0;
  let prevN = 0;
  for (const [le, n] of h.buckets) {
    if (n >= rank) {
      if (le === Infinity) return prevLe * 1000;
      return (prevLe + ((le - prevLe) * (rank - prevN)) / Math.max(1, n - prevN)) * 1000;
    }
    prevLe = le;
    prevN = n;
  }
  return NaN;
}

// ── the load ──
await fetch(`${url}/api/gallery`);
const rssBefore = servers.map((s) => rss(s.proc.child.pid!));
const latencies: number[] = [];
let inferences = 0;
let wsErrors = 0;
let running = true;

async function wsClient(k: number) {
  const ws = new WebSocket(wsUrl, { localAddress: address(1, k) });
  ws.binaryType = 'nodebuffer';
  let id = 0;
  let sentAt = 0;
  const next = async () => {
    if (RATE > 0) await sleep(Math.max(0, 1000 / RATE - (performance.now() - sentAt)));
    if (!running || ws.readyState !== ws.OPEN) return ws.close();
    sentAt = performance.now();
    ws.send(encodeInferRequest(++id, digit(k * 131 + id), Encoding.Uint8));
  };
  ws.on('message', (data) => {
    const m = decodeServerFrame(data as Buffer);
    if (m.type === 'hello') return void next();
    if (m.type === 'error') wsErrors++;
    else if (measuring) {
      inferences++;
      latencies.push(performance.now() - sentAt);
    }
    void next();
  });
  // (handlers before the socket opens: the server's HELLO can arrive in the same packet as the upgrade)
  ws.on('error', () => wsErrors++);
  await new Promise((r) => ws.once('close', r));
}

const httpStats = { pages: 0, submissions: 0, submissionErrors: 0, abusive201: 0, abusive429: 0, other: 0 };
let deadline = Infinity;
async function readers() {
  let i = 0;
  while (Date.now() < deadline) {
    i++;
    // a new reader (its own address) shares a drawing, then loads pages
    const status = await call(
      'POST',
      '/api/gallery',
      address(2, i),
      JSON.stringify({ pixels: Buffer.from(digit(i)).toString('base64'), label: mnist.labels[i % 10_000] }),
    );
    if (status === 201) httpStats.submissions++;
    else httpStats.submissionErrors++;
    for (const p of ['/', '/api/gallery?limit=24', '/api/stats', '/api/random_image']) {
      const s = await call('GET', p, address(2, i));
      if (s === 200) httpStats.pages++;
      else httpStats.other++;
    }
    await sleep(50);
  }
}
async function abuser() {
  while (Date.now() < deadline) {
    const s = await call(
      'POST',
      '/api/gallery',
      '127.66.6.6',
      JSON.stringify({ pixels: Buffer.from(digit(7)).toString('base64'), label: 1 }),
    );
    if (s === 201) httpStats.abusive201++;
    else if (s === 429) httpStats.abusive429++;
    else httpStats.other++;
    await sleep(5); // ~200 submissions/s: a flood, not a CPU hog for the bench
  }
}

// connect everyone (not timed), then measure LOAD_SECONDS
let measuring = false;
const clients = Array.from({ length: CLIENTS }, (_, k) => wsClient(k));
await sleep(Math.min(10_000, 1000 + CLIENTS * 4));
const wsBefore = await histogram('cnn_ws_request_seconds');
const inferBefore = await histogram('cnn_inference_seconds');
const batchBefore = await histogram('cnn_inference_batch_size');
measuring = true;
deadline = Date.now() + SECONDS * 1000;
const t0 = performance.now();
const ticker = setInterval(
  () =>
    console.error(
      't',
      ((performance.now() - t0) / 1000).toFixed(0),
      inferences,
      wsErrors,
      JSON.stringify(httpStats),
    ),
  5000,
);
// what Caddy's health check sees: /healthz of each process, directly, twice a second
const healthMs: number[] = [];
async function healthProbe() {
  while (Date.now() < deadline) {
    for (const s of servers) {
      const t = performance.now();
      const ok = await fetch(`${s.proc.url}/healthz`, { signal: AbortSignal.timeout(10_000) })
        .then((r) => r.ok)
        .catch(() => false);
      healthMs.push(ok ? performance.now() - t : Infinity);
    }
    await sleep(500);
  }
}
await Promise.all([readers(), abuser(), healthProbe(), sleep(SECONDS * 1000)]);
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
const ws = minus(await histogram('cnn_ws_request_seconds'), wsBefore);
const inf = minus(await histogram('cnn_inference_seconds'), inferBefore);
const batch = minus(await histogram('cnn_inference_batch_size'), batchBefore);
// each process's event-loop delay (prom-client samples it since start): a long one delays everything
const lag = await Promise.all(
  servers.map(async (s) => {
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    const v = (n: string) => Number(new RegExp(`^${n} (\\S+)$`, 'm').exec(text)?.[1]) * 1000;
    return `${f(v('nodejs_eventloop_lag_p99_seconds'))} / ${f(v('nodejs_eventloop_lag_max_seconds'))}`;
  }),
);
running = false;
clearInterval(ticker);
await Promise.all(clients);
await sleep(3000);
const rssAfter = servers.map((s) => rss(s.proc.child.pid!));
caddy?.kill('SIGTERM');
await Promise.all(servers.map((s) => s.proc.stop()));
await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.destroy();

latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const mb = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`\n| what | figure |\n|---|---:|`);
console.log(
  `| setup | ${PROCESSES} process${PROCESSES > 1 ? 'es' : ''} on Postgres${DIRECT ? ', no proxy' : ' behind Caddy'}; generator on CPU ${CPUS} |`,
);
console.log(
  `| WebSocket clients, ${RATE ? `≤ ${RATE} requests/s each` : 'closed loop'}, ${elapsed.toFixed(0)} s | ${CLIENTS} |`,
);
console.log(`| inferences/s | ${Math.round(inferences / elapsed).toLocaleString('en')} |`);
console.log(`| client-side latency p50 / p99 | ${f(q(0.5))} / ${f(q(0.99))} ms |`);
console.log(
  `| server-side, frame read → answer sent (\`cnn_ws_request_seconds\`) p50 / p99 | ${f(quantile(ws, 0.5))} / ${f(quantile(ws, 0.99))} ms |`,
);
console.log(
  `| server-side, queue + run (\`cnn_inference_seconds\`) p50 / p99 | ${f(quantile(inf, 0.5))} / ${f(quantile(inf, 0.99))} ms |`,
);
console.log(`| mean batch size | ${(batch.sum / Math.max(1, batch.count)).toFixed(1)} |`);
healthMs.sort((a, b) => a - b);
const healthSorted = [...healthMs].sort((a, b) => a - b);
console.log(
  `| \`/healthz\` straight to a process, p50 / max (Caddy's check gives up after 3 s) | ${f(healthSorted[Math.floor(healthSorted.length / 2)] ?? NaN)} / ${f(healthSorted.at(-1) ?? NaN)} ms (${healthMs.filter((ms) => ms === Infinity).length} of ${healthMs.length} probes failed) |`,
);
console.log(`| servers' event-loop delay p99 / max, per process | ${lag.join(', ')} ms |`);
console.log(`| WebSocket errors | ${wsErrors} |`);
console.log(
  `| submissions from readers (201) / refused | ${httpStats.submissions} / ${httpStats.submissionErrors} |`,
);
console.log(`| page and API reads (200) / failed | ${httpStats.pages} / ${httpStats.other} |`);
console.log(
  `| abusive reader: accepted / refused with 429 | ${httpStats.abusive201} / ${httpStats.abusive429} |`,
);
console.error('HTTP answers:', JSON.stringify(httpStatuses), 'failures:', JSON.stringify(failures));
console.log(`| start → /readyz per process | ${servers.map((s) => s.startMs.toFixed(0)).join(', ')} ms |`);
console.log(`| server memory (RSS) before → after, per process | ${mb(rssBefore)} → ${mb(rssAfter)} MB |`);
