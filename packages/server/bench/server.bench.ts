/**
 * `npm run bench -w packages/server`: figures for BENCHMARKS.md, loopback only.
 *   1. raw in-process session.run (batch 1, all outputs) vs the server's batching runner
 *   2. WS round trip (one client, one request at a time): p50/p99
 *   3. WS throughput with many clients, against the raw figure of the same runtime in the same run
 *   4. gallery submissions/s; random_image and a list page with many rows in real Postgres
 * Options: --rows N (default 1,000,000; 0 skips), --seconds N per throughput phase (default 5).
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeInferRequest, MessageType } from 'cnn-visualizer/protocol';
import * as ort from 'onnxruntime-web';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.ts';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { mnistDigits, startServer } from '../test/helpers.ts';
import { spawnServer } from '../test/server-process.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, seconds: { type: 'string' } } });
const ROWS = Number(values.rows ?? 1_000_000);
const SECONDS = Number(values.seconds ?? 5);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const digits = await mnistDigits(64, 1000);
const table = (title: string, rows: [string, string][]) => {
  console.log(`\n${title}\n| what | figure |\n|---|---:|`);
  for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
};

// ── 1. raw runtime vs batching runner, in process ──
const modelPath = loadConfig({}).modelPath;
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(join(dirname(modelPath), 'cnn.onnx'));
const input = new ort.Tensor('float32', new Float32Array(784).fill(0.1), [1, 1, 28, 28]);
for (let i = 0; i < 300; i++) await session.run({ input });
let n = 0;
let t0 = performance.now();
const rawTimes: number[] = [];
while (performance.now() - t0 < SECONDS * 1000) {
  const s = performance.now();
  await session.run({ input });
  rawTimes.push(performance.now() - s);
  n++;
}
const rawRate = n / ((performance.now() - t0) / 1000);
const runner = await ModelRunner.load(modelPath);
n = 0;
t0 = performance.now();
const workers = Array.from({ length: 128 }, async (_, w) => {
  while (performance.now() - t0 < SECONDS * 1000) {
    await runner.infer(digits[w % digits.length].pixels);
    n++;
  }
});
await Promise.all(workers);
const batchedRate = n / ((performance.now() - t0) / 1000);
await runner.close();
table('In-process inference (onnxruntime-web Node build, wasm, 1 thread, all 13 outputs)', [
  ['raw `session.run`, batch 1: p50 latency', `${pct(rawTimes, 50).toFixed(3)} ms`],
  ['raw `session.run`, batch 1: throughput', `${Math.round(rawRate).toLocaleString('en')}/s`],
  [
    'server runner, 128 concurrent requests batched (≤ 64)',
    `${Math.round(batchedRate).toLocaleString('en')}/s`,
  ],
]);

// ── 2 & 3. WebSocket, server in its own process ──
// the per-connection rate limit (120/s) would otherwise be what we measure
const server = await spawnServer({ WS_REQUESTS_PER_SECOND: '1000000' });
const url = server.url;
const wsUrl = `${url.replace('http', 'ws')}/ws`;
const frames = digits.map((d, i) => encodeInferRequest(i, d.pixels));
async function connect(): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl);
  await new Promise((r) => ws.once('message', r)); // HELLO
  return ws;
}
const one = await connect();
const rtts: number[] = [];
for (let i = 0; i < 3000; i++) {
  const s = performance.now();
  await new Promise<void>((resolve, reject) => {
    one.once('message', (data: Buffer) =>
      data[1] === MessageType.Result ? resolve() : reject(new Error(`answer of type ${data[1]}`)),
    );
    one.send(frames[i % frames.length]);
  });
  if (i >= 300) rtts.push(performance.now() - s);
}
one.close();
// many clients, several in flight each; the client only checks each answer's type byte
const CLIENTS = 32;
const IN_FLIGHT = 8;
const clients = await Promise.all(Array.from({ length: CLIENTS }, connect));
let answered = 0;
let errors = 0;
const stopAt = performance.now() + SECONDS * 1000;
t0 = performance.now();
await Promise.all(
  clients.map(
    (ws, c) =>
      new Promise<void>((resolve) => {
        let outstanding = 0;
        const pump = () => {
          while (outstanding < IN_FLIGHT && performance.now() < stopAt) {
            ws.send(frames[(c + answered) % frames.length]);
            outstanding++;
          }
          if (outstanding === 0) resolve();
        };
        ws.on('message', (data: Buffer) => {
          outstanding--;
          if (data[1] === MessageType.Result) answered++;
          else errors++;
          pump();
        });
        pump();
      }),
  ),
);
const wsRate = answered / ((performance.now() - t0) / 1000);
clients.forEach((ws) => ws.close());
await server.stop();
table(
  `WebSocket on loopback (server in its own process, embedded DB; ${CLIENTS} clients × ${IN_FLIGHT} in flight for throughput)`,
  [
    ['round trip, one request at a time: p50', `${pct(rtts, 50).toFixed(3)} ms`],
    ['round trip: p99', `${pct(rtts, 99).toFixed(3)} ms`],
    ['inferences/s over WS (float32, every layer)', `${Math.round(wsRate).toLocaleString('en')}/s`],
    ['… as a fraction of raw in-process `session.run` (batch 1)', (wsRate / rawRate).toFixed(2)],
    ['errors', String(errors)],
  ],
);

// ── 4. gallery on real Postgres ──
const s = await startServer('postgres', { limits: { submissionsBurst: 1e9, submissionsPerMinute: 1e12 } });
try {
  const bodies = digits.map((d) =>
    JSON.stringify({ pixels: Buffer.from(d.pixels).toString('base64'), label: d.label }),
  );
  let posted = 0;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      while (performance.now() - t0 < SECONDS * 1000) {
        const r = await fetch(`${s.url}/api/gallery`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodies[(w + posted) % bodies.length],
        });
        if (r.status === 201) posted++;
        await r.arrayBuffer();
      }
    }),
  );
  const postRate = posted / ((performance.now() - t0) / 1000);
  const rows: [string, string][] = [
    [
      'submissions/s (8 concurrent, each predicted and committed)',
      `${Math.round(postRate).toLocaleString('en')}/s`,
    ],
  ];
  if (ROWS > 0) {
    const g0 = performance.now();
    await s.db.raw(
      `INSERT INTO gallery_drawings (pixels, label, prediction, confidence, probabilities, model_version, client_hash, hidden)
       SELECT decode(repeat(lpad(to_hex(i % 256), 2, '0'), 784), 'hex'), i % 10, (i * 7) % 10, 0.9,
              array_fill(0.1::real, ARRAY[10]), 'bench', 'bench', i % 50 = 0
       FROM generate_series(1, ?) AS i`,
      [ROWS],
    );
    await s.db.raw('ANALYZE gallery_drawings');
    rows.push([
      `rows inserted for the read figures`,
      `${ROWS.toLocaleString('en')} (${((performance.now() - g0) / 1000).toFixed(0)} s; 2% hidden)`,
    ]);
    const time = async (path: string, count = 300) => {
      const xs: number[] = [];
      for (let i = 0; i < count; i++) {
        const st = performance.now();
        const r = await fetch(`${s.url}${path}`);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
        xs.push(performance.now() - st);
      }
      return xs;
    };
    const random = await time('/api/random_image');
    const list = await time('/api/gallery?limit=24');
    const mis = await time('/api/gallery?limit=24&misclassified=true');
    const deep =
      (await (await fetch(`${s.url}/api/gallery?limit=1`)).json()).items[0].id - Math.floor(ROWS / 2);
    const middle = await time(`/api/gallery?limit=24&cursor=${deep}`);
    rows.push(
      [
        '`GET /api/random_image` p50 / p99',
        `${pct(random, 50).toFixed(2)} / ${pct(random, 99).toFixed(2)} ms`,
      ],
      [
        '`GET /api/gallery?limit=24` (first page) p50 / p99',
        `${pct(list, 50).toFixed(2)} / ${pct(list, 99).toFixed(2)} ms`,
      ],
      ['… a page in the middle (cursor) p50', `${pct(middle, 50).toFixed(2)} ms`],
      ['… `?misclassified=true` p50', `${pct(mis, 50).toFixed(2)} ms`],
    );
  }
  table('Gallery on real Postgres 15 (loopback HTTP, one client at a time for latencies)', rows);
} finally {
  await s.close();
}
process.exit(0);
