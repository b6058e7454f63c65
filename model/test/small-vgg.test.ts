// The second shipped model, model/small-vgg/ (three 3×3 convolutions with batch normalisation and
// average pooling), as a user of it sees it: its cnn.onnx run by onnxruntime-web (the runtime the
// element and the server use) against its cnn.json, and read by the element's own ONNX reader.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { LAYER_KINDS, validateDescription } from 'cnn-visualizer/description';
import { loadOnnx } from 'cnn-visualizer/onnx';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { modelVersion, type ModelMetadata } from '../src/metadata.ts';
import { loadMnist } from '../src/mnist.ts';
import { SMALL_VGG_RECIPE } from '../src/models.ts';
import { Network, paramLayout } from '../src/network.ts';
import { mnistNormaliser, paramsFromOnnx, sliceAccuracy } from './helpers/onnx-checks.ts';

const dir = SMALL_VGG_RECIPE.dir;
const onnxBytes = new Uint8Array(readFileSync(join(dir, 'cnn.onnx')));
const meta: ModelMetadata = JSON.parse(readFileSync(join(dir, 'cnn.json'), 'utf8'));
const testSet = loadMnist('test');
const layout = paramLayout(SMALL_VGG_RECIPE.layers);
const outputs = meta.layers.filter((l) => l.kind !== 'input');
/** Every 4th test image: 2,500, a fixed slice (the full set is the trainer's figure). */
const STRIDE = 4;
let session: ort.InferenceSession;

const normaliseInto = mnistNormaliser(testSet, meta.input.normalization);

before(async () => {
  ort.env.wasm.numThreads = 1;
  session = await ort.InferenceSession.create(onnxBytes);
});

test('cnn.json describes the small VGG the trainer builds, in kinds the element knows', () => {
  validateDescription(meta);
  assert.equal(meta.name, SMALL_VGG_RECIPE.name);
  assert.equal(meta.version, modelVersion(onnxBytes), 'version is the hash of the shipped ONNX bytes');
  assert.deepEqual(
    meta.layers.map((l) => [l.name, l.kind, l.shape]),
    layout.layers.map((l) => [l.name, l.kind, l.shape]),
  );
  for (const l of meta.layers) assert.ok(LAYER_KINDS.includes(l.kind), `${l.name}: ${l.kind}`);
  const kinds = new Set(meta.layers.map((l) => l.kind));
  for (const kind of ['conv', 'batchnorm', 'avgpool', 'dense'] as const) assert.ok(kinds.has(kind), kind);
  assert.equal(meta.checkpoints.at(-1)?.onnx, 'cnn.onnx');
  assert.ok(meta.training.seconds > 0 && meta.training.history.length === meta.training.settings.epochs);
});

test('the graph computes batch norm in inference form and averages in AveragePool nodes', () => {
  const graph = onnxProto.onnx.ModelProto.decode(onnxBytes).graph!;
  const ops = new Map(graph.node!.map((n) => [n.name, n.opType]));
  for (const l of meta.layers) {
    if (l.kind === 'batchnorm') {
      assert.equal(ops.get(l.name), 'BatchNormalization', l.name);
      const node = graph.node!.find((n) => n.name === l.name)!;
      // X, scale, B, input_mean, input_var and one output: no training-mode outputs
      assert.deepEqual(node.input, [l.from, ...Object.values(l.tensors!)]);
      assert.deepEqual(node.output, [l.name]);
    }
    if (l.kind === 'avgpool') assert.equal(ops.get(l.name), 'AveragePool', l.name);
  }
});

test("the element's ONNX reader derives the same layers from the bare cnn.onnx", async () => {
  const { description } = await loadOnnx(onnxBytes);
  assert.deepEqual(
    description.layers.map((l) => [l.kind, l.shape]),
    meta.layers.map((l) => [l.kind, l.shape]),
  );
});

test('every layer in cnn.json is a graph output with the declared shape', async () => {
  assert.deepEqual(session.inputNames, [meta.input.name]);
  assert.deepEqual(
    session.outputNames,
    outputs.map((l) => l.name),
  );
  const input = new Float32Array(2 * 784);
  normaliseInto(input, 0, 0);
  normaliseInto(input, 784, 1);
  const result = await session.run({ [meta.input.name]: new ort.Tensor('float32', input, [2, 1, 28, 28]) });
  for (const l of outputs) assert.deepEqual(result[l.name].dims, [2, ...l.shape], `shape of ${l.name}`);
  const p = result.probabilities.data as Float32Array;
  assert.ok(Math.abs(p.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test(`accuracy on every ${STRIDE}th MNIST test image agrees with the one cnn.json states`, async () => {
  const picks = Array.from({ length: testSet.count / STRIDE }, (_, i) => i * STRIDE);
  const measured = await sliceAccuracy(session, ort, meta.input.name, testSet, normaliseInto, picks);
  // the slice differs from the whole set by sampling (fixed slice: never flakes): 3 standard errors
  const q = meta.metrics.testAccuracy;
  const tolerance = 3 * Math.sqrt((q * (1 - q)) / picks.length) + 0.001;
  console.log(
    `# stated ${(q * 100).toFixed(2)}% on 10,000, measured ${(measured * 100).toFixed(2)}% on ${picks.length}`,
  );
  assert.ok(q >= 0.99, `stated accuracy ${q}`);
  assert.ok(
    Math.abs(measured - q) <= tolerance,
    `measured ${measured}, stated ${q} (± ${tolerance.toFixed(4)})`,
  );
});

test("ONNX activations equal the trainer's own inference pass, layer by layer (≤ 1e-4)", async () => {
  const net = new Network(layout, paramsFromOnnx(layout, onnxBytes));
  const input = new Float32Array(784);
  for (const idx of [0, 7, 42, 4321, 9999]) {
    normaliseInto(input, 0, idx);
    net.forward(input);
    const out = await session.run({ [meta.input.name]: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
    layout.layers.forEach((layer, li) => {
      if (layer.kind === 'input') return;
      const onnx = out[layer.name].data as Float32Array;
      const mine = net.acts[li];
      for (let i = 0; i < mine.length; i++)
        assert.ok(
          Math.abs(onnx[i] - mine[i]) <= 1e-4 * Math.max(1, Math.abs(mine[i])),
          `${layer.name}[${i}] of digit ${idx}: onnx ${onnx[i]} vs trainer ${mine[i]}`,
        );
    });
  }
});
