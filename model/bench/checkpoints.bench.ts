// `npm run bench -w model`: what the training checkpoints cost (bytes on disk, gzip and brotli as a
// server would send them), and what the storage formats would cost and change on the shipped weights:
// float32 (as cnn.onnx), float16 (as the checkpoints) and int8 with one scale per output channel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { LENET5 } from '../src/architecture.ts';
import { readOnnxInitializers } from '../src/export-onnx.ts';
import { roundToFloat16 } from '../src/float16.ts';
import type { ModelMetadata } from '../src/metadata.ts';
import { loadMnist } from '../src/mnist.ts';
import { argmax, Network, paramLayout } from '../src/network.ts';
import { MODEL_DIR } from '../src/paths.ts';

const meta: ModelMetadata = JSON.parse(readFileSync(join(MODEL_DIR, 'cnn.json'), 'utf8'));
const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
const br = (b: Uint8Array) =>
  brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const n = (x: number) => x.toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

console.log('| checkpoint | step | epoch | test accuracy | bytes | gzip -9 | brotli 11 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const total = { bytes: 0, gz: 0, br: 0 };
for (const c of meta.checkpoints ?? []) {
  const b = new Uint8Array(readFileSync(join(MODEL_DIR, c.onnx)));
  const row = { bytes: b.length, gz: gz(b), br: br(b) };
  if (c.onnx !== meta.onnx) for (const k of ['bytes', 'gz', 'br'] as const) total[k] += row[k];
  console.log(
    `| \`${c.onnx}\` | ${n(c.step)} | ${c.epoch} | ${pct(c.testAccuracy)} | ${n(row.bytes)} | ${n(row.gz)} | ${n(row.br)} |`,
  );
}
console.log(
  `| **added** (all but cnn.onnx) | | | | **${n(total.bytes)}** | **${n(total.gz)}** | **${n(total.br)}** |`,
);

// the same weights in three storage formats: size of the weights and accuracy on the 10k test set
const layout = paramLayout(LENET5);
const test = loadMnist('test');
const { scale, mean, std } = meta.input.normalization;
function accuracy(params: Float64Array): number {
  const net = new Network(layout, params);
  const x = new Float64Array(784);
  let ok = 0;
  for (let i = 0; i < test.count; i++) {
    for (let j = 0; j < 784; j++) x[j] = (test.images[i * 784 + j] * scale - mean) / std;
    if (argmax(net.forward(x)) === test.labels[i]) ok++;
  }
  return ok / test.count;
}
const inits = readOnnxInitializers(new Uint8Array(readFileSync(join(MODEL_DIR, meta.onnx))));
const f32 = new Float64Array(layout.size);
for (const t of layout.tensors) f32.set(inits.get(t.name)!.data, t.offset);
const f16 = Float64Array.from(f32, roundToFloat16);
const i8 = new Float64Array(f32);
let i8Bytes = 0;
for (const t of layout.tensors) {
  if (!t.name.endsWith('.weight')) {
    i8Bytes += t.size * 4; // biases stay float32
    continue;
  }
  const rows = t.shape[0];
  const per = t.size / rows;
  for (let r = 0; r < rows; r++) {
    const at = t.offset + r * per;
    let max = 0;
    for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(f32[at + i]));
    const s = max / 127 || 1;
    for (let i = 0; i < per; i++) i8[at + i] = Math.round(f32[at + i] / s) * s;
  }
  i8Bytes += t.size + rows * 4; // int8 values + a float32 scale per row
}
console.log('\n| the shipped weights stored as | weight bytes | test accuracy (float64 arithmetic) |');
console.log('| --- | ---: | ---: |');
console.log(`| float32 (cnn.onnx) | ${n(layout.size * 4)} | ${pct(accuracy(f32))} |`);
console.log(`| float16 + Cast (the checkpoints) | ${n(layout.size * 2)} | ${pct(accuracy(f16))} |`);
console.log(`| int8 per output channel + DequantizeLinear | ${n(i8Bytes)} | ${pct(accuracy(i8))} |`);
