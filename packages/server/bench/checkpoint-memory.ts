/**
 * What the training checkpoints cost a server process: resident memory (RSS) and heap with the
 * model's own session only, then after each checkpoint's session is loaded by a first request, and
 * how long that first request takes (loading included) against a later one. For BENCHMARKS.md and
 * the server README. Run with `node --expose-gc` for steadier figures (`npm run bench` does).
 */
import { loadConfig } from '../src/config.ts';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { mnistDigits } from '../test/helpers.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const [digit] = await mnistDigits(1, 0);

const runner = await ModelRunner.load(loadConfig({}).modelPath);
await runner.infer(digit.pixels);
await settle();
const base = process.memoryUsage();
const rows: [string, string, string, string][] = [];
for (let k = 0; k < runner.checkpoints.length; k++) {
  let t = performance.now();
  await runner.infer(digit.pixels, k);
  const first = performance.now() - t;
  t = performance.now();
  await runner.infer(digit.pixels, k);
  const later = performance.now() - t;
  await settle();
  const m = process.memoryUsage();
  rows.push([
    `checkpoint ${k} (step ${runner.checkpoints[k].step})`,
    mb(m.rss - base.rss),
    `${first.toFixed(1)} ms`,
    `${later.toFixed(2)} ms`,
  ]);
}
const end = process.memoryUsage();
console.log(
  `\nCheckpoint sessions in one server process (${runner.checkpoints.length} listed, ${runner.loadedCheckpoints} loaded: ` +
    `the last is cnn.onnx itself, served by the model's own session)\n` +
    `| after | RSS added (cumulative) | first request (loads it) | next request |\n|---|---:|---:|---:|`,
);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nRSS with the model's own session: ${mb(base.rss)}; with every checkpoint: ${mb(end.rss)} ` +
    `(+${mb(end.rss - base.rss)}, +${mb((end.rss - base.rss) / Math.max(1, runner.loadedCheckpoints))} per session); ` +
    `JS heap +${mb(end.heapUsed - base.heapUsed)}, external +${mb(end.external - base.external)}` +
    `${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
);
await runner.close();
