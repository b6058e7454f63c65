// explain() for a cube of every layer kind of the shipped LeNet-5, checked against an independent
// recomputation: weights decoded from cnn.onnx's initializers here, sums and maxima in plain loops,
// activations from onnxruntime-web on real MNIST test digits.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  describe as describeLine,
  explain,
  formatNumber,
  formula,
  type Explanation,
} from '../src/explain/index.ts';
import type { Activations } from '../src/inference/activations.ts';
import type { Tensor } from '../src/model/tensor.ts';
import { digitAt, loadMnistTest, seededRandom } from './helpers/mnist.ts';
import { activationsFor, decodeWeights, model, onnxBytes } from './helpers/onnx-model.ts';

let weights: Map<string, Tensor>;
const digits: { pixels: Uint8Array; acts: Activations }[] = [];

before(async () => {
  weights = decodeWeights(onnxBytes);
  const set = loadMnistTest();
  for (const i of [0, 1, 2, 3, 4, 7, 11, 18]) {
    const pixels = digitAt(set, i);
    digits.push({ pixels, acts: await activationsFor(pixels) });
  }
});

const layerOf = (name: string) => model.layers.find((l) => l.name === name)!;
const valuesOf = (acts: Activations, name: string) => acts.layers.find((l) => l.name === name)!.data;
const near = (a: number, b: number, what: string, tol = 1e-4) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Sample indices of a layer: some seeded random ones plus the first and the last. */
function sample(size: number, n = 12): number[] {
  const rng = seededRandom(size);
  return [0, size - 1, ...Array.from({ length: n }, () => Math.floor(rng() * size))];
}

/** Σ values · weights + bias of an explanation, in doubles. */
const weightedSum = (e: Explanation) =>
  e.inputs.values.reduce((s, v, i) => s + v * e.weights![i], e.bias ?? 0);

test('every layer kind of the shipped model is covered below', () => {
  const kinds = new Set(model.layers.map((l) => l.kind));
  assert.deepEqual([...kinds].sort(), ['conv', 'dense', 'flatten', 'input', 'maxpool', 'relu', 'softmax']);
});

test('input: the pixel’s ink 0–255 (as MNIST stores it) and its normalised value', () => {
  for (const { pixels, acts } of digits) {
    for (const i of sample(784, 40)) {
      const e = explain(model, weights, acts, 'input', i);
      assert.equal(e.operation, 'input');
      if (e.operation !== 'input') return;
      assert.equal(e.ink, pixels[i]);
      const { scale, mean, std } = model.input.normalization;
      near(e.normalized, (pixels[i] * scale - mean) / std, `input[${i}]`);
      assert.deepEqual(e.cell, { channel: 0, row: Math.floor(i / 28), col: i % 28 });
      assert.deepEqual(e.field, { top: e.cell.row, left: e.cell.col, bottom: e.cell.row, right: e.cell.col });
    }
  }
});

test('conv: value = Σ patch × kernel + bias, recomputed from the ONNX kernel; padding is left out', () => {
  for (const name of ['conv1', 'conv2']) {
    const l = layerOf(name);
    const src = layerOf(l.from!);
    const [C, H, W] = l.shape;
    const [Ci, Hi, Wi] = src.shape;
    const k = l.kernel!;
    const s = l.stride ?? 1;
    const p = l.padding ?? 0;
    const wt = weights.get(`${name}.weight`)!.data;
    const bt = weights.get(`${name}.bias`)!.data;
    for (const { acts } of digits.slice(0, 4)) {
      const x = valuesOf(acts, src.name);
      const y = valuesOf(acts, name);
      for (const index of sample(C * H * W)) {
        const c = Math.floor(index / (H * W));
        const r = Math.floor((index % (H * W)) / W);
        const q = index % W;
        // independent: plain loops over input channels and the kernel, skipping padding
        let sum = bt[c];
        const expected = new Map<number, number>(); // input index → weight
        for (let ci = 0; ci < Ci; ci++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const yy = r * s - p + ky;
              const xx = q * s - p + kx;
              if (yy < 0 || xx < 0 || yy >= Hi || xx >= Wi) continue;
              const w = wt[((c * Ci + ci) * k + ky) * k + kx];
              sum += x[(ci * Hi + yy) * Wi + xx] * w;
              expected.set((ci * Hi + yy) * Wi + xx, w);
            }
        near(y[index], sum, `${name}[${index}] (ONNX runtime vs loops)`);
        const e = explain(model, weights, acts, name, index);
        assert.equal(e.operation, 'conv');
        if (e.operation !== 'conv') return;
        assert.equal(e.value, y[index]);
        assert.equal(e.bias, bt[c]);
        assert.equal(e.inputs.layer, src.name);
        assert.equal(e.inputs.indices.length, expected.size, `${name}[${index}]: inputs without the padding`);
        e.inputs.indices.forEach((i, n) => {
          assert.equal(e.weights[n], expected.get(i), `${name}[${index}] weight for input ${i}`);
          assert.equal(e.inputs.values[n], x[i]);
        });
        near(weightedSum(e), y[index], `${name}[${index}] Σ values·weights + bias`);
        near(e.sum, sum, `${name}[${index}] sum`);
        assert.equal(e.kernel.values.length, Ci * k * k);
        assert.equal(e.patch.filter((v) => v === null).length, Ci * k * k - expected.size);
      }
    }
  }
  // the corner of conv1 (padding 2): only a 3 × 3 part of the 5 × 5 kernel lies on the image
  const corner = explain(model, weights, digits[0].acts, 'conv1', 0);
  assert.equal(corner.inputs.indices.length, 9);
  assert.deepEqual(corner.field, { top: 0, left: 0, bottom: 2, right: 2 });
});

test('dense: value = Σ inputs × weights + bias over every unit before; top contributions sorted', () => {
  for (const name of ['fc1', 'fc2', 'fc3']) {
    const l = layerOf(name);
    const src = layerOf(l.from!);
    const n = src.shape.reduce((a, b) => a * b, 1);
    const W = weights.get(`${name}.weight`)!.data;
    const B = weights.get(`${name}.bias`)!.data;
    for (const { acts } of digits) {
      const x = valuesOf(acts, src.name);
      const y = valuesOf(acts, name);
      for (const u of sample(l.shape[0], 6)) {
        let sum = B[u];
        for (let i = 0; i < n; i++) sum += x[i] * W[u * n + i];
        near(y[u], sum, `${name}[${u}] (runtime vs loops)`);
        const e = explain(model, weights, acts, name, u, { top: 5 });
        assert.equal(e.operation, 'dense');
        if (e.operation !== 'dense') return;
        assert.equal(e.inputs.indices.length, n, 'a dense unit reads every input');
        for (let i = 0; i < n; i++) {
          assert.equal(e.inputs.indices[i], i);
          assert.equal(e.weights[i], W[u * n + i]);
          assert.equal(e.inputs.values[i], x[i]);
        }
        assert.equal(e.bias, B[u]);
        near(weightedSum(e), y[u], `${name}[${u}] Σ values·weights + bias`);
        assert.equal(e.top.length, 5);
        const products = Array.from(x, (v, i) => Math.abs(v * W[u * n + i])).sort((a, b) => b - a);
        e.top.forEach((t, k) => near(Math.abs(t.product), products[k], `${name}[${u}] top ${k}`, 1e-9));
        near(
          e.top.reduce((s, t) => s + t.product, 0) + e.rest + e.bias,
          e.sum,
          `${name}[${u}] top + rest`,
          1e-9,
        );
      }
    }
  }
});

test('relu: max(0, z) of the same position; maxpool: the largest of its window, winner marked', () => {
  for (const { acts } of digits) {
    for (const name of ['relu1', 'relu2', 'relu3', 'relu4']) {
      const l = layerOf(name);
      const z = valuesOf(acts, l.from!);
      const y = valuesOf(acts, name);
      for (const i of sample(y.length)) {
        const e = explain(model, weights, acts, name, i);
        assert.equal(e.operation, 'relu');
        if (e.operation !== 'relu') return;
        assert.equal(e.z, z[i]);
        assert.equal(e.value, Math.max(0, z[i]));
        assert.deepEqual(e.inputs.indices, [i]);
      }
    }
    for (const name of ['pool1', 'pool2']) {
      const l = layerOf(name);
      const [, H, W] = l.shape;
      const [, Hi, Wi] = layerOf(l.from!).shape;
      const x = valuesOf(acts, l.from!);
      const y = valuesOf(acts, name);
      const k = l.kernel!;
      for (const i of sample(y.length)) {
        const c = Math.floor(i / (H * W));
        const r = Math.floor((i % (H * W)) / W);
        const q = i % W;
        let max = -Infinity;
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) max = Math.max(max, x[(c * Hi + r * k + dy) * Wi + q * k + dx]);
        assert.equal(y[i], max);
        const e = explain(model, weights, acts, name, i);
        assert.equal(e.operation, 'maxpool');
        if (e.operation !== 'maxpool') return;
        assert.equal(e.inputs.indices.length, k * k);
        assert.equal(e.inputs.values[e.winner!], max);
        assert.ok(e.inputs.cells.every((cell) => cell.channel === c));
      }
    }
  }
});

test('flatten: the same number; softmax: e^z / Σ e^z over the class scores', () => {
  for (const { acts } of digits) {
    const x = valuesOf(acts, 'pool2');
    for (const i of sample(400)) {
      const e = explain(model, weights, acts, 'flatten', i);
      assert.equal(e.value, x[i]);
      assert.deepEqual(e.inputs.indices, [i]);
      assert.deepEqual(e.inputs.cells[0], {
        channel: Math.floor(i / 25),
        row: Math.floor((i % 25) / 5),
        col: i % 5,
      });
    }
    const z = valuesOf(acts, 'fc3');
    let total = 0;
    for (const v of z) total += Math.exp(v);
    for (let c = 0; c < 10; c++) {
      const e = explain(model, weights, acts, 'probabilities', c);
      assert.equal(e.operation, 'softmax');
      if (e.operation !== 'softmax') return;
      assert.equal(e.z, z[c]);
      near(e.exp, Math.exp(z[c]), 'e^z', 1e-9);
      near(e.sumExp, total, 'Σ e^z', 1e-9);
      near(e.value, Math.exp(z[c]) / total, `p[${c}]`, 1e-5);
      near(e.exp / e.sumExp, e.value, `p[${c}] from the explanation`, 1e-5);
      assert.equal(e.inputs.indices.length, 10);
    }
  }
});

test('formula: short text with the real numbers', () => {
  const { acts } = digits[0];
  const conv = explain(model, weights, acts, 'conv1', 6 * 28 + 14);
  const text = formula(conv);
  assert.match(text, /^Σ patch × kernel \+ bias = /);
  assert.ok(text.includes(`= ${formatNumber(conv.value)}`), text);
  assert.ok(text.includes(formatNumber(conv.bias!)), text);
  const pool = explain(model, weights, acts, 'pool2', 10);
  assert.equal(
    formula(pool),
    `max(${pool.inputs.values.map((v) => formatNumber(v)).join(', ')}) = ${formatNumber(pool.value)}`,
  );
  const relu = explain(model, weights, acts, 'relu1', 0);
  assert.match(formula(relu), /^max\(0, .+\) = /);
  const p = explain(model, weights, acts, 'probabilities', acts.prediction);
  assert.match(formula(p), /^e\^.+ \/ Σ e\^z = .+ \/ .+ = /);
  const pixel = explain(model, weights, acts, 'input', 7 * 28 + 7);
  assert.match(describeLine(pixel), /^input, channel 0, row 7, column 7: ink \d+ of 255/);
  for (const l of model.layers)
    assert.ok(formula(explain(model, weights, acts, l.name, 0)).length < 160, l.name);
});

test('a clear error for an unknown layer or an index outside the layer', () => {
  const { acts } = digits[0];
  assert.throws(() => explain(model, weights, acts, 'nope', 0), /no layer named "nope"/);
  assert.throws(() => explain(model, weights, acts, 'fc1', 120), /fc1 has 120 numbers/);
  assert.throws(() => explain(model, new Map(), acts, 'fc1', 1), /no tensor "fc1.weight"/);
});

test('with the page’s own ONNX reader (cnn-visualizer/onnx), the explanations are the same numbers', async () => {
  const { loadOnnx } = await import('../src/onnx/index.ts');
  const read = await loadOnnx(onnxBytes, { normalization: model.input.normalization });
  const { acts } = digits[2];
  for (const l of model.layers) {
    const mine = read.description.layers.find((d) => d.name === l.name);
    assert.ok(mine, `the reader derives ${l.name}`);
    for (const index of sample(
      l.shape.reduce((a, b) => a * b, 1),
      4,
    )) {
      const a = explain(model, weights, acts, l.name, index);
      const b = explain(read.description, read.weights, acts, l.name, index);
      assert.equal(b.value, a.value);
      assert.deepEqual(b.inputs, a.inputs, `${l.name}[${index}]`);
      assert.deepEqual(b.weights, a.weights, `${l.name}[${index}]`);
      assert.equal(b.bias, a.bias);
    }
  }
});
