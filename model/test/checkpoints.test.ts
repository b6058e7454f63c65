// The training checkpoints as the element will use them: each file listed in cnn.json's `checkpoints`
// is loaded by onnxruntime-web (its Node build, the runtime of the element and the server), must
// answer with every layer the description lists, and must score what cnn.json says it scores, measured
// here on a slice of the MNIST test set, independently of the trainer.
// CHECK_MODEL_DIR=<dir> checks a run written elsewhere (`npm run train -- --out <dir>`).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { readOnnxInitializers, readOnnxSignature } from '../src/export-onnx.ts';
import type { ModelMetadata } from '../src/metadata.ts';
import { loadMnist } from '../src/mnist.ts';
import { MODEL_DIR } from '../src/paths.ts';
import { mnistNormaliser, sliceAccuracy } from './helpers/onnx-checks.ts';

const dir = process.env.CHECK_MODEL_DIR ?? MODEL_DIR;
const meta: ModelMetadata = JSON.parse(readFileSync(join(dir, 'cnn.json'), 'utf8'));
const checkpoints = meta.checkpoints ?? [];
const outputs = meta.layers.filter((l) => l.kind !== 'input');
const params = new Map(meta.layers.flatMap((l) => Object.entries(l.params ?? {})));
const testSet = loadMnist('test');
/** Every 4th test image: 2,500 images from both halves of the set (the first half is the easier one). */
const STRIDE = 4;

const bytesOf = (c: { onnx: string }) => new Uint8Array(readFileSync(join(dir, c.onnx)));
const statSize = (file: string) => readFileSync(join(dir, file)).length;
const sessions: ort.InferenceSession[] = [];

const normaliseInto = mnistNormaliser(testSet, meta.input.normalization);

before(async () => {
  ort.env.wasm.numThreads = 1;
  for (const c of checkpoints) sessions.push(await ort.InferenceSession.create(bytesOf(c)));
});
after(async () => {
  for (const s of sessions) await s.release();
});

test('listed accuracies start near chance (≤ 20%), rise on the whole and end at the shipped model', () => {
  assert.ok(checkpoints.length >= 3, `cnn.json lists ${checkpoints.length} checkpoints`);
  const acc = checkpoints.map((c) => c.testAccuracy);
  const first = checkpoints[0];
  const last = checkpoints[checkpoints.length - 1];
  assert.equal(first.step, 0, 'the first checkpoint is the untrained network');
  assert.ok(acc[0] <= 0.2, `first accuracy ${acc[0]}`);
  assert.equal(last.onnx, meta.onnx, 'the last checkpoint is the shipped model itself');
  assert.equal(last.testAccuracy, meta.metrics.testAccuracy);
  assert.equal(last.epoch, meta.training.settings.epochs, 'the last checkpoint is the end of training');
  for (let i = 1; i < checkpoints.length; i++) {
    const [a, b] = [checkpoints[i - 1], checkpoints[i]];
    assert.ok(b.step > a.step && b.epoch >= a.epoch, `checkpoint ${i} comes after checkpoint ${i - 1}`);
    assert.ok((b.images ?? 0) > (a.images ?? 0), `checkpoint ${i} has seen more images`);
    // on the whole: never more than a point below the best so far
    const best = Math.max(...acc.slice(0, i));
    assert.ok(acc[i] >= best - 0.01, `accuracy ${acc[i]} at step ${b.step} falls below ${best}`);
  }
  assert.ok(acc[acc.length - 1] >= Math.max(...acc) - 0.002, 'the shipped model is (about) the best');
  assert.ok(acc[acc.length - 1] - acc[0] >= 0.5, 'training shows');
  const byStep = new Map(meta.training.history.map((h) => [h.epoch, h.testAccuracy]));
  for (const c of checkpoints.slice(0, -1))
    if (byStep.has(c.epoch))
      assert.ok(
        Math.abs(c.testAccuracy - byStep.get(c.epoch)!) <= 0.002,
        `epoch ${c.epoch}: float16 weights score ${c.testAccuracy}, the epoch's report ${byStep.get(c.epoch)}`,
      );
});

test("each checkpoint is a file with the shipped model's graph and its own weights, float16 but the last", () => {
  const shipped = readOnnxSignature(bytesOf({ onnx: meta.onnx }));
  const shippedWeights = readOnnxInitializers(bytesOf({ onnx: meta.onnx }));
  let previous: Float32Array | undefined;
  for (const c of checkpoints) {
    const path = join(dir, c.onnx);
    assert.ok(existsSync(path), `${c.onnx} exists`);
    const bytes = bytesOf(c);
    assert.deepEqual(readOnnxSignature(bytes), shipped, `${c.onnx}: same inputs, outputs and opset`);
    const weights = readOnnxInitializers(bytes);
    assert.deepEqual(
      [...weights].map(([name, t]) => [name, t.shape]),
      [...params],
      `${c.onnx}: the initializers the description's params name`,
    );
    const conv1 = weights.get('conv1.weight')!.data;
    if (previous) assert.notDeepEqual(conv1, previous, `${c.onnx}: conv1's kernels changed`);
    previous = conv1;
    if (c.onnx === meta.onnx) continue;
    assert.ok(bytes.length < 0.55 * statSize(meta.onnx), `${c.onnx} (${bytes.length} B) is float16`);
    for (const [name, t] of weights)
      assert.notDeepEqual(t.data, shippedWeights.get(name)!.data, `${c.onnx}: ${name} is not the shipped`);
  }
});

test('each checkpoint runs in onnxruntime-web and returns every layer the description lists', async () => {
  const input = new Float32Array(2 * 784);
  normaliseInto(input, 0, 0);
  normaliseInto(input, 784, 1);
  for (const [i, session] of sessions.entries()) {
    const name = checkpoints[i].onnx;
    assert.deepEqual(session.inputNames, [meta.input.name], name);
    assert.deepEqual(
      session.outputNames,
      outputs.map((l) => l.name),
      name,
    );
    const result = await session.run({
      [meta.input.name]: new ort.Tensor('float32', input, [2, ...meta.input.shape]),
    });
    for (const l of outputs) {
      assert.equal(result[l.name].type, 'float32', `${name}: ${l.name} is float32`);
      assert.deepEqual(result[l.name].dims, [2, ...l.shape], `${name}: shape of ${l.name}`);
    }
    const p = result.probabilities.data as Float32Array;
    assert.ok(Math.abs(p.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5, `${name}: a softmax`);
  }
});

test(`each checkpoint's accuracy on every ${STRIDE}th MNIST test image agrees with the listed one`, async () => {
  const picks = Array.from({ length: Math.floor(testSet.count / STRIDE) }, (_, i) => i * STRIDE);
  const lines: string[] = [];
  for (const [i, session] of sessions.entries()) {
    const c = checkpoints[i];
    const measured = await sliceAccuracy(session, ort, meta.input.name, testSet, normaliseInto, picks);
    // a slice's accuracy differs from the whole set's by sampling (the slice is fixed, so this never
    // flakes): allow 3 standard errors + 0.3 point (float32 arithmetic here, float64 in the trainer)
    const q = c.testAccuracy;
    const tolerance = 3 * Math.sqrt((q * (1 - q)) / picks.length) + 0.003;
    lines.push(
      `# step ${String(c.step).padStart(5)}: listed ${(q * 100).toFixed(2)}%, measured ${(measured * 100).toFixed(2)}%`,
    );
    assert.ok(
      Math.abs(measured - q) <= tolerance,
      `${c.onnx}: measured ${measured} on ${picks.length} images, listed ${q} (± ${tolerance.toFixed(4)})`,
    );
  }
  console.log(lines.join('\n'));
});
