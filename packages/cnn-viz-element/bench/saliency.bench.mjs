// Occlusion saliency's cost per drawing (cnn-visualizer/explain), 50 MNIST test digits, three ways:
//   1. Node, onnxruntime-web's Node build (wasm, 1 thread), one session.run per batch: a proxy
//   2. Chromium, the element's LocalOnnxBackend.predictBatch (the page's real path)
//   3. the server over the WebSocket (WebSocketBackend, one request per variant, 12 in flight: the
//      protocol has no batch message), rate limits raised for the measurement
// Run with tsx (it imports TypeScript): node --conditions=source --import tsx bench/saliency.bench.mjs
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { batchPredictor, occlusionSaliency } from '../src/explain/saliency.ts';
import { WebSocketBackend } from '../src/inference/websocket-backend.ts';
import { digitAt, loadMnistTest } from '../test/helpers/mnist.ts';
import { model, predictBatch } from '../test/helpers/onnx-model.ts';
import { spawnServer } from '../../server/test/server-process.ts';
import { launch, median, pct, serveRepo } from './browser.mjs';

const N = 50;
const set = loadMnistTest();
const digits = Array.from({ length: N }, (_, i) => digitAt(set, 100 + i));
const SETTINGS = [{}, { stride: 1 }];
const name = (o) => `patch ${o.patch ?? 3}, stride ${o.stride ?? 2}`;
const rows = [];
const row = (where, o, times, variants) =>
  rows.push(
    `| ${where} | ${name(o)} | ${variants.toFixed(0)} | ${median(times).toFixed(1)} | ${pct(times, 90).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`,
  );

// 1. Node
for (let i = 0; i < 5; i++) await occlusionSaliency(digits[i], predictBatch);
for (const o of SETTINGS) {
  const times = [];
  const cpu = [];
  let variants = 0;
  for (const d of digits) {
    const t = performance.now();
    const c = process.cpuUsage();
    variants += (await occlusionSaliency(d, predictBatch, o)).variants;
    const used = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  row('Node, onnxruntime-web (proxy)', o, times, variants / N);
  // CPU time of this process: what the work costs without the other processes sharing the 2 cores
  row('Node, same, CPU time', o, cpu, variants / N);
}

// 2. Chromium, LocalOnnxBackend
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
mkdirSync(here('../test-artifacts/bench/'), { recursive: true });
await build({
  entryPoints: [here('./saliency-page.ts')],
  bundle: true,
  format: 'esm',
  outfile: here('../test-artifacts/bench/saliency-page.js'),
  conditions: ['source'],
  logLevel: 'error',
  tsconfig: here('../tsconfig.json'),
});
const server = await serveRepo();
const browser = await launch();
const page = await browser.newPage();
await page.goto(`${server.url}/packages/cnn-viz-element/bench/blank.html`);
await page.addScriptTag({
  url: '/packages/cnn-viz-element/test-artifacts/bench/saliency-page.js',
  type: 'module',
});
await page.waitForFunction(() => 'benchSaliency' in globalThis);
const inPage = await page.evaluate(
  ([m, d, s]) => globalThis.benchSaliency(m, d, s),
  [model, digits.map((d) => Array.from(d)), SETTINGS],
);
for (const r of inPage) row('Chromium, `LocalOnnxBackend.predictBatch`', r.options, r.times, r.variants);
await browser.close();
server.close();

// 3. the server
const proc = await spawnServer({ WS_REQUESTS_PER_SECOND: '100000' });
const backend = new WebSocketBackend(model, {
  url: proc.url.replace(/^http/, 'ws') + '/ws',
  WebSocketImpl: WebSocket,
});
await backend.connect();
const viaServer = batchPredictor(backend);
for (let i = 0; i < 3; i++) await occlusionSaliency(digits[i], viaServer);
for (const o of SETTINGS.slice(0, 1)) {
  const times = [];
  let variants = 0;
  for (const d of digits) {
    const t = performance.now();
    variants += (await occlusionSaliency(d, viaServer, o)).variants;
    times.push(performance.now() - t);
  }
  row('server over WebSocket (loopback), 12 requests in flight', o, times, variants / N);
}
backend.dispose();
await proc.stop();

console.log(
  `\nOcclusion saliency per drawing, ${N} MNIST test digits (ms; variants = occluded copies classified; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
);
console.log('| where | patches | variants | median | p90 | max |\n|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
