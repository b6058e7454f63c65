// The rewritten models run in onnxruntime-web (its Node build, as the server runs it): one
// session.run returns every drawn layer with exactly the size the description gives, the final
// output equals the original model's for the same input, and what the description says a layer does
// (batch norm's formula, a channels-last flatten, MatMul + Add) is what onnxruntime computes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { layerSize, type ModelDescription } from '../src/model/description.ts';
import { loadOnnx } from '../src/onnx/index.ts';
import { seededRandom } from './helpers/mnist.ts';
import { allModels, kerasLike, smallVgg } from './helpers/onnx-models.ts';

ort.env.wasm.numThreads = 1;

const modelDir = new URL('../../../model/', import.meta.url);

function randomInput(d: ModelDescription, batch = 1, seed = 1): ort.Tensor {
  const rng = seededRandom(seed);
  const n = batch * layerSize(d.input);
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: n }, () => rng()),
    [batch, ...d.input.shape],
  );
}

const softmax = (xs: ArrayLike<number>) => {
  const max = Math.max(...Array.from(xs));
  const e = Array.from(xs, (x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
};

/** The probabilities an element shows: the last layer, or a softmax of it when the graph has none. */
const probabilities = (d: ModelDescription, last: ArrayLike<number>) =>
  d.scores === 'probabilities' ? Array.from(last) : softmax(last);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} ≠ ${expected[i]}`,
    );
}

const models = () => [
  ...allModels().map((m) => ({ name: m.name, bytes: m.bytes })),
  { name: 'model/cnn.onnx', bytes: new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir))) },
];

describe('rewritten models in onnxruntime', () => {
  for (const m of models()) {
    test(`${m.name}: one run returns every layer at its described size; the output is the original's`, async () => {
      const { description: d, bytes } = await loadOnnx(m.bytes);
      const original = await ort.InferenceSession.create(m.bytes);
      const rewritten = await ort.InferenceSession.create(bytes);
      const feeds = { [d.input.name]: randomInput(d) };
      const all = await rewritten.run(feeds);
      for (const l of d.layers.slice(1)) {
        const t = all[l.name];
        assert.ok(t, `no output ${l.name}`);
        assert.equal(
          t.data.length,
          layerSize(l),
          `${l.label}: ${t.data.length} values, described ${layerSize(l)}`,
        );
        assert.deepEqual(t.dims, [1, ...l.shape], `${l.label}: dims`);
      }
      const theirs = await original.run(feeds);
      const last = d.layers.at(-1)!;
      const reference = theirs[original.outputNames.find((n) => n === last.name) ?? original.outputNames[0]];
      close(all[last.name].data as Float32Array, reference.data as Float32Array, `${m.name} output`);
      const p = probabilities(d, all[last.name].data as Float32Array);
      const expected =
        d.scores === 'probabilities'
          ? Array.from(reference.data as Float32Array)
          : softmax(reference.data as Float32Array);
      close(p, expected, `${m.name} probabilities`);
      close([p.reduce((a, b) => a + b, 0)], [1], 'sum of probabilities');
      await original.release();
      await rewritten.release();
    });
  }

  test('a symbolic batch stays symbolic: a batch of 3 returns 3 samples of every layer', async () => {
    const { description: d, bytes } = await loadOnnx(smallVgg().bytes);
    assert.equal(d.input.batch, 'symbolic');
    const session = await ort.InferenceSession.create(bytes);
    const all = await session.run({ [d.input.name]: randomInput(d, 3) });
    for (const l of d.layers.slice(1)) assert.deepEqual(all[l.name].dims, [3, ...l.shape]);
    await session.release();
  });
});

describe('what the description says a layer does is what onnxruntime computes', () => {
  test('batch norm: scale · (x − mean) / √(variance + ε) + bias, with the tensors it names', async () => {
    const m = smallVgg();
    const { description: d, bytes, weights } = await loadOnnx(m.bytes);
    const session = await ort.InferenceSession.create(bytes);
    const all = await session.run({ [d.input.name]: randomInput(d, 1, 9) });
    const bn = d.layers.find((l) => l.kind === 'batchnorm')!;
    const x = all[bn.from!].data as Float32Array;
    const y = all[bn.name].data as Float32Array;
    // the builder's own values, not what the reader decoded
    const v = (role: 'scale' | 'bias' | 'mean' | 'variance') => m.builder.values.get(bn.tensors![role]!)!;
    const [scale, bias, mean, variance] = [v('scale'), v('bias'), v('mean'), v('variance')];
    const hw = bn.shape[1] * bn.shape[2];
    const expected = Array.from(x, (xi, i) => {
      const c = Math.floor(i / hw);
      return (scale[c] * (xi - mean[c])) / Math.sqrt(variance[c] + bn.epsilon!) + bias[c];
    });
    close(y, expected, 'batch norm', 1e-4);
    assert.deepEqual(weights.get(bn.tensors!.scale!)!.data, scale);
    await session.release();
  });

  test('channels-last flatten (Transpose + Reshape): value (y·W + x)·C + c is map[c][y][x]; MatMul + Add is x·W + b', async () => {
    const m = kerasLike();
    const { description: d, bytes } = await loadOnnx(m.bytes);
    const session = await ort.InferenceSession.create(bytes);
    const all = await session.run({ [d.input.name]: randomInput(d, 1, 4) });
    const flat = d.layers.find((l) => l.kind === 'flatten')!;
    assert.equal(flat.order, 'hwc');
    const map = all[flat.from!].data as Float32Array;
    const [C, H, W] = d.layers.find((l) => l.name === flat.from)!.shape;
    const values = all[flat.name].data as Float32Array;
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) assert.equal(values[(y * W + x) * C + c], map[(c * H + y) * W + x]);

    const dense = d.layers.find((l) => l.from === flat.name)!;
    assert.equal(dense.weightLayout, 'in-out');
    const w = m.builder.values.get(dense.tensors!.weight!)!;
    const b = m.builder.values.get(dense.tensors!.bias!)!;
    const units = dense.shape[0];
    const expected = Array.from({ length: units }, (_, j) => {
      let s = b[j];
      for (let i = 0; i < values.length; i++) s += values[i] * w[i * units + j];
      return s;
    });
    close(all[dense.name].data as Float32Array, expected, 'MatMul + Add', 1e-4);
    await session.release();
  });
});
