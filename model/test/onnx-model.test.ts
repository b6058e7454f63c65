// The shipped model, as a user of it sees it: model/cnn.onnx run by onnxruntime-web (its WASM build,
// the same runtime the element and the server use) on the full MNIST test set.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { INPUT_NORMALIZATION, LENET5 } from '../src/architecture.ts';
import { readOnnxSignature } from '../src/export-onnx.ts';
import type { ModelMetadata } from '../src/metadata.ts';
import { modelVersion } from '../src/metadata.ts';
import { loadMnist } from '../src/mnist.ts';
import { argmax, Network, paramLayout } from '../src/network.ts';
import { METADATA_PATH, ONNX_PATH } from '../src/paths.ts';
import { paramsFromOnnx } from './helpers/onnx-checks.ts';

const onnxBytes = new Uint8Array(readFileSync(ONNX_PATH));
const meta: ModelMetadata = JSON.parse(readFileSync(METADATA_PATH, 'utf8'));
const testSet = loadMnist('test');
let session: ort.InferenceSession;

const normalise = (pixels: Uint8Array, out: Float32Array, at = 0) => {
  const { scale, mean, std } = meta.input.normalization;
  for (let i = 0; i < pixels.length; i++) out[at + i] = (pixels[i] * scale - mean) / std;
};

before(async () => {
  ort.env.wasm.numThreads = 1;
  session = await ort.InferenceSession.create(onnxBytes);
});

test('cnn.json describes the network the trainer uses, with its normalisation and version', () => {
  const layout = paramLayout(LENET5);
  assert.deepEqual(
    meta.layers.map((l) => [l.name, l.kind, l.shape]),
    layout.layers.map((l) => [l.name, l.kind, l.shape]),
  );
  assert.deepEqual(meta.input.normalization, { ...INPUT_NORMALIZATION });
  assert.equal(meta.version, modelVersion(onnxBytes), 'version is the hash of the shipped ONNX bytes');
  for (const l of meta.layers.slice(1))
    assert.ok(
      meta.layers.some((m) => m.name === l.from),
      `${l.name}.from`,
    );
});

test('every layer named in cnn.json is a graph output with the declared shape (opset ≥ 13)', async () => {
  const sig = readOnnxSignature(onnxBytes);
  assert.ok(sig.opset >= 13, `opset ${sig.opset}`);
  const outputs = meta.layers.filter((l) => l.kind !== 'input');
  assert.deepEqual(
    sig.outputs.map((o) => o.name),
    outputs.map((l) => l.name),
  );
  const input = new Float32Array(2 * 784);
  normalise(testSet.images.subarray(0, 1568), input);
  const result = await session.run({ [meta.input.name]: new ort.Tensor('float32', input, [2, 1, 28, 28]) });
  for (const l of outputs) {
    assert.ok(result[l.name], `output ${l.name} missing`);
    assert.deepEqual(result[l.name].dims, [2, ...l.shape], `shape of ${l.name}`);
  }
  const probs = result.probabilities.data as Float32Array;
  assert.ok(Math.abs(probs.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('classifies the full 10,000-image MNIST test set at ≥ 99.0%, as cnn.json reports', async () => {
  const batch = 1000;
  const input = new Float32Array(batch * 784);
  let correct = 0;
  for (let start = 0; start < testSet.count; start += batch) {
    normalise(testSet.images.subarray(start * 784, (start + batch) * 784), input);
    const out = await session.run({ input: new ort.Tensor('float32', input, [batch, 1, 28, 28]) }, [
      'probabilities',
    ]);
    const p = out.probabilities.data as Float32Array;
    for (let i = 0; i < batch; i++)
      if (argmax(p.subarray(i * 10, i * 10 + 10)) === testSet.labels[start + i]) correct++;
  }
  const accuracy = correct / testSet.count;
  console.log(`# ONNX test accuracy: ${(accuracy * 100).toFixed(2)}% (${correct}/${testSet.count})`);
  assert.ok(accuracy >= 0.99, `accuracy ${(accuracy * 100).toFixed(2)}% < 99.0%`);
  assert.ok(
    Math.abs(accuracy - meta.metrics.testAccuracy) < 0.0005,
    'cnn.json reports the measured accuracy',
  );
});

test("ONNX activations equal the trainer's own forward pass, layer by layer (≤ 1e-4)", async () => {
  const layout = paramLayout(LENET5);
  const net = new Network(layout, paramsFromOnnx(layout, onnxBytes));
  const input = new Float32Array(784);
  let worst = 0;
  for (const idx of [0, 1, 2, 3, 4, 7, 42, 1234, 4321, 9999]) {
    normalise(testSet.images.subarray(idx * 784, idx * 784 + 784), input);
    net.forward(input);
    const out = await session.run({ input: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
    layout.layers.forEach((layer, li) => {
      if (layer.kind === 'input') return;
      const onnx = out[layer.name].data as Float32Array;
      const mine = net.acts[li];
      assert.equal(onnx.length, mine.length, layer.name);
      for (let i = 0; i < mine.length; i++) {
        const d = Math.abs(onnx[i] - mine[i]);
        if (d > worst) worst = d;
        assert.ok(d <= 1e-4, `${layer.name}[${i}] of digit ${idx}: onnx ${onnx[i]} vs trainer ${mine[i]}`);
      }
    });
  }
  console.log(`# worst absolute difference over all layers: ${worst.toExponential(2)}`);
});
