// explain() for the layer kinds models read from ONNX bring beyond LeNet's (batch norm, LeakyReLU,
// sigmoid, tanh, average and global pooling, ceil-mode max pooling, grouped and strided convolutions
// with uneven padding, MatMul-layout dense, channels-last flatten, log-softmax): three tiny models
// written here, run by onnxruntime-web, every number recomputed independently in plain loops from
// the weights decoded out of the ONNX bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { explain, formula, type Explanation } from '../src/explain/index.ts';
import type { Activations } from '../src/inference/activations.ts';
import type { LayerDescription } from '../src/model/description.ts';
import type { Tensor } from '../src/model/tensor.ts';
import { seededRandom } from './helpers/mnist.ts';
import { decodeWeights } from './helpers/onnx-model.ts';
import { randomTensors, tinyModel, type TinyModel } from './helpers/tiny-onnx.ts';

type Shape = number[];
const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
const L = (l: LayerDescription) => l;

/** Model A: strided conv with uneven pads → batch norm → LeakyReLU → average pool → tanh → sigmoid → global average → flatten → MatMul-layout dense → log-softmax. */
function modelA(): TinyModel {
  const w = randomTensors(
    { wA: [3, 1, 3, 2], bA: [3], g: [3], beta: [3], mu: [3], var: [3], wD: [3, 4], bD: [4] },
    11,
  );
  return tinyModel(
    [1, 8, 8],
    [
      {
        op: 'Conv',
        inputs: ['input', 'wA', 'bA'],
        output: 'conv',
        attrs: { strides: [1, 2], pads: [1, 0, 1, 1] },
      },
      {
        op: 'BatchNormalization',
        inputs: ['conv', 'g', 'beta', 'mu', 'var'],
        output: 'bn',
        attrs: { epsilon: { f: 1e-3 } },
      },
      { op: 'LeakyRelu', inputs: ['bn'], output: 'leaky', attrs: { alpha: { f: 0.2 } } },
      {
        op: 'AveragePool',
        inputs: ['leaky'],
        output: 'avg',
        attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
      },
      { op: 'Tanh', inputs: ['avg'], output: 'tanh' },
      { op: 'Sigmoid', inputs: ['tanh'], output: 'sig' },
      { op: 'GlobalAveragePool', inputs: ['sig'], output: 'gavg' },
      { op: 'Flatten', inputs: ['gavg'], output: 'flat' },
      { op: 'Gemm', inputs: ['flat', 'wD', 'bD'], output: 'dense' },
      { op: 'LogSoftmax', inputs: ['dense'], output: 'logp' },
    ],
    [
      L({ name: 'input', kind: 'input', shape: [1, 8, 8] }),
      L({
        name: 'conv',
        kind: 'conv',
        shape: [3, 8, 4],
        from: 'input',
        kernelShape: [3, 2],
        strides: [1, 2],
        pads: [1, 0, 1, 1],
        params: { wA: [3, 1, 3, 2], bA: [3] },
        tensors: { weight: 'wA', bias: 'bA' },
      }),
      L({
        name: 'bn',
        kind: 'batchnorm',
        shape: [3, 8, 4],
        from: 'conv',
        epsilon: 1e-3,
        params: { g: [3], beta: [3], mu: [3], var: [3] },
        tensors: { scale: 'g', bias: 'beta', mean: 'mu', variance: 'var' },
      }),
      L({ name: 'leaky', kind: 'leakyrelu', shape: [3, 8, 4], from: 'bn', alpha: 0.2 }),
      L({
        name: 'avg',
        kind: 'avgpool',
        shape: [3, 4, 2],
        from: 'leaky',
        kernelShape: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
      }),
      L({ name: 'tanh', kind: 'tanh', shape: [3, 4, 2], from: 'avg' }),
      L({ name: 'sig', kind: 'sigmoid', shape: [3, 4, 2], from: 'tanh' }),
      L({ name: 'gavg', kind: 'globalavgpool', shape: [3, 1, 1], from: 'sig' }),
      L({ name: 'flat', kind: 'flatten', shape: [3], from: 'gavg' }),
      L({
        name: 'dense',
        kind: 'dense',
        shape: [4],
        from: 'flat',
        weightLayout: 'in-out',
        params: { wD: [3, 4], bD: [4] },
        tensors: { weight: 'wD', bias: 'bD' },
      }),
      L({ name: 'logp', kind: 'logsoftmax', shape: [4], from: 'dense' }),
    ],
    w,
    ['a', 'b', 'c', 'd'],
  );
}

/** Model B: conv → ceil-mode max pool → average pool counting its padding → channels-last flatten → dense → softmax. */
function modelB(): TinyModel {
  const w = randomTensors({ wB: [2, 1, 3, 3], bB: [2], wF: [3, 32], bF: [3] }, 22);
  return tinyModel(
    [1, 7, 7],
    [
      { op: 'Conv', inputs: ['input', 'wB', 'bB'], output: 'conv', attrs: { pads: [1, 1, 1, 1] } },
      {
        op: 'MaxPool',
        inputs: ['conv'],
        output: 'max',
        attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 },
      },
      {
        op: 'AveragePool',
        inputs: ['max'],
        output: 'avg',
        attrs: { kernel_shape: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0], count_include_pad: 1 },
      },
      { op: 'Transpose', inputs: ['avg'], output: 'nhwc', attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Flatten', inputs: ['nhwc'], output: 'flat' },
      { op: 'Gemm', inputs: ['flat', 'wF', 'bF'], output: 'dense', attrs: { transB: 1 } },
      { op: 'Softmax', inputs: ['dense'], output: 'p' },
    ],
    [
      L({ name: 'input', kind: 'input', shape: [1, 7, 7] }),
      L({
        name: 'conv',
        kind: 'conv',
        shape: [2, 7, 7],
        from: 'input',
        kernel: 3,
        stride: 1,
        padding: 1,
        params: { wB: [2, 1, 3, 3], bB: [2] },
      }),
      L({
        name: 'max',
        kind: 'maxpool',
        shape: [2, 4, 4],
        from: 'conv',
        kernelShape: [2, 2],
        strides: [2, 2],
        pads: [0, 0, 0, 0],
        ceilMode: true,
      }),
      L({
        name: 'avg',
        kind: 'avgpool',
        shape: [2, 4, 4],
        from: 'max',
        kernelShape: [2, 2],
        strides: [1, 1],
        pads: [1, 1, 0, 0],
        countIncludePad: true,
      }),
      L({ name: 'flat', kind: 'flatten', shape: [32], from: 'avg', order: 'hwc' }),
      L({ name: 'dense', kind: 'dense', shape: [3], from: 'flat', params: { wF: [3, 32], bF: [3] } }),
      L({ name: 'p', kind: 'softmax', shape: [3], from: 'dense' }),
    ],
    w,
    ['x', 'y', 'z'],
  );
}

/** Model C: conv → ReLU → grouped conv (2 groups) → global max pool → flatten → dense → sigmoid. */
function modelC(): TinyModel {
  const w = randomTensors({ w1: [4, 1, 3, 3], b1: [4], wG: [4, 2, 3, 3], bG: [4], wO: [2, 4], bO: [2] }, 33);
  return tinyModel(
    [1, 6, 6],
    [
      { op: 'Conv', inputs: ['input', 'w1', 'b1'], output: 'c1', attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c1'], output: 'r1' },
      { op: 'Conv', inputs: ['r1', 'wG', 'bG'], output: 'cg', attrs: { group: 2 } },
      { op: 'GlobalMaxPool', inputs: ['cg'], output: 'gmax' },
      { op: 'Flatten', inputs: ['gmax'], output: 'flat' },
      { op: 'Gemm', inputs: ['flat', 'wO', 'bO'], output: 'out', attrs: { transB: 1 } },
      { op: 'Sigmoid', inputs: ['out'], output: 'sig' },
    ],
    [
      L({ name: 'input', kind: 'input', shape: [1, 6, 6] }),
      L({
        name: 'c1',
        kind: 'conv',
        shape: [4, 6, 6],
        from: 'input',
        kernel: 3,
        stride: 1,
        padding: 1,
        params: { w1: [4, 1, 3, 3], b1: [4] },
      }),
      L({ name: 'r1', kind: 'relu', shape: [4, 6, 6], from: 'c1' }),
      L({
        name: 'cg',
        kind: 'conv',
        shape: [4, 4, 4],
        from: 'r1',
        kernel: 3,
        stride: 1,
        padding: 0,
        params: { wG: [4, 2, 3, 3], bG: [4] },
      }),
      L({ name: 'gmax', kind: 'globalmaxpool', shape: [4, 1, 1], from: 'cg' }),
      L({ name: 'flat', kind: 'flatten', shape: [4], from: 'gmax' }),
      L({ name: 'out', kind: 'dense', shape: [2], from: 'flat', params: { wO: [2, 4], bO: [2] } }),
      L({ name: 'sig', kind: 'sigmoid', shape: [2], from: 'out' }),
    ],
    w,
    ['no', 'yes'],
  );
}

async function run(m: TinyModel, seed: number): Promise<Activations> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(m.bytes);
  const rng = seededRandom(seed);
  const shape = m.description.input.shape;
  const pixels = Uint8Array.from({ length: size(shape) }, () => (rng() < 0.5 ? 0 : Math.floor(rng() * 256)));
  const { scale, mean, std } = m.description.input.normalization;
  const input = Float32Array.from(pixels, (p) => (p * scale - mean) / std);
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, ...shape]) });
  const layers = m.description.layers.map((l, i) => ({
    name: l.name,
    kind: l.kind,
    shape: l.shape,
    data: i === 0 ? input : (out[l.name].data as Float32Array),
  }));
  await session.release();
  const last = layers[layers.length - 1].data;
  return { layers, probabilities: last, prediction: last.indexOf(Math.max(...last)) };
}

/** What one output number is, recomputed: its value and the inputs it reads (index → weight, if any). */
interface Reference {
  value: number;
  reads: Map<number, number | undefined>;
  bias?: number;
}

/** Plain-loop reference of output `index` of layer `l` (reads `x` of shape `xs`), weights `w`. */
function reference(
  l: LayerDescription,
  x: Float32Array,
  xs: Shape,
  w: Map<string, Tensor>,
  index: number,
): Reference {
  const [C, H, W] = xs.length === 3 ? xs : [1, 1, xs[0]];
  const reads = new Map<number, number | undefined>();
  const ys = l.shape.length === 3 ? l.shape : [l.shape[0], 1, 1];
  const oc = Math.floor(index / (ys[1] * ys[2]));
  const oy = Math.floor((index % (ys[1] * ys[2])) / ys[2]);
  const ox = index % ys[2];
  const names = Object.keys(l.params ?? {});
  const tensor = (role: string, fallback: number) => w.get(l.tensors?.[role as 'weight'] ?? names[fallback])!;
  const kh = l.kernelShape?.[0] ?? l.kernel ?? 1;
  const kw = l.kernelShape?.[1] ?? l.kernel ?? 1;
  const sy = l.strides?.[0] ?? l.stride ?? 1;
  const sx = l.strides?.[1] ?? l.stride ?? 1;
  const pt = l.pads?.[0] ?? l.padding ?? 0;
  const pl = l.pads?.[1] ?? l.padding ?? 0;
  switch (l.kind) {
    case 'conv': {
      const wt = tensor('weight', 0);
      const b = tensor('bias', 1).data[oc];
      const [M, per, KH, KW] = wt.dims;
      const groups = C / per;
      const c0 = Math.floor(oc / (M / groups)) * per;
      let s = b;
      for (let c = 0; c < per; c++)
        for (let i = 0; i < KH; i++)
          for (let j = 0; j < KW; j++) {
            const yy = oy * sy - pt + i;
            const xx = ox * sx - pl + j;
            if (yy < 0 || xx < 0 || yy >= H || xx >= W) continue;
            const k = ((oc * per + c) * KH + i) * KW + j;
            const at = ((c0 + c) * H + yy) * W + xx;
            s += x[at] * wt.data[k];
            reads.set(at, wt.data[k]);
          }
      return { value: s, reads, bias: b };
    }
    case 'maxpool':
    case 'avgpool': {
      let max = -Infinity;
      let sum = 0;
      let n = 0;
      let padded = 0;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const yy = oy * sy - pt + i;
          const xx = ox * sx - pl + j;
          const inPadded =
            yy >= -pt && xx >= -pl && yy < H + (l.pads?.[2] ?? pt) && xx < W + (l.pads?.[3] ?? pl);
          if (yy < 0 || xx < 0 || yy >= H || xx >= W) {
            if (inPadded) padded++;
            continue;
          }
          const at = (oc * H + yy) * W + xx;
          max = Math.max(max, x[at]);
          sum += x[at];
          n++;
          reads.set(at, undefined);
        }
      const count = l.countIncludePad ? n + padded : n;
      if (l.kind === 'avgpool') for (const k of reads.keys()) reads.set(k, 1 / count);
      return { value: l.kind === 'maxpool' ? max : sum / count, reads, bias: 0 };
    }
    case 'globalavgpool':
    case 'globalmaxpool': {
      let max = -Infinity;
      let sum = 0;
      for (let k = oc * H * W; k < (oc + 1) * H * W; k++) {
        max = Math.max(max, x[k]);
        sum += x[k];
        reads.set(k, l.kind === 'globalavgpool' ? 1 / (H * W) : undefined);
      }
      return { value: l.kind === 'globalmaxpool' ? max : sum / (H * W), reads, bias: 0 };
    }
    case 'batchnorm': {
      const g = tensor('scale', 0).data[oc];
      const be = tensor('bias', 1).data[oc];
      const mu = tensor('mean', 2).data[oc];
      const v = tensor('variance', 3).data[oc];
      const eps = l.epsilon ?? 1e-5;
      reads.set(index, g / Math.sqrt(v + eps));
      return {
        value: (g * (x[index] - mu)) / Math.sqrt(v + eps) + be,
        reads,
        bias: be - (mu * g) / Math.sqrt(v + eps),
      };
    }
    case 'relu':
    case 'leakyrelu':
    case 'tanh':
    case 'sigmoid': {
      const z = x[index];
      reads.set(index, undefined);
      const value =
        l.kind === 'relu'
          ? Math.max(0, z)
          : l.kind === 'leakyrelu'
            ? z >= 0
              ? z
              : (l.alpha ?? 0.01) * z
            : l.kind === 'tanh'
              ? Math.tanh(z)
              : 1 / (1 + Math.exp(-z));
      return { value, reads };
    }
    case 'flatten': {
      let at = index;
      if (l.order === 'hwc') {
        const c = index % C;
        const p = Math.floor(index / C);
        at = (c * H + Math.floor(p / W)) * W + (p % W);
      }
      reads.set(at, undefined);
      return { value: x[at], reads };
    }
    case 'dense': {
      const wt = tensor('weight', 0);
      const b = tensor('bias', 1).data[index];
      const n = x.length;
      const units = l.shape[0];
      let s = b;
      for (let i = 0; i < n; i++) {
        const wi = l.weightLayout === 'in-out' ? wt.data[i * units + index] : wt.data[index * n + i];
        s += x[i] * wi;
        reads.set(i, wi);
      }
      return { value: s, reads, bias: b };
    }
    case 'softmax':
    case 'logsoftmax': {
      let sum = 0;
      for (let i = 0; i < x.length; i++) {
        sum += Math.exp(x[i]);
        reads.set(i, undefined);
      }
      return { value: l.kind === 'softmax' ? Math.exp(x[index]) / sum : x[index] - Math.log(sum), reads };
    }
    default:
      throw new Error(`no reference for ${l.kind}`);
  }
}

const near = (a: number, b: number, what: string, tol = 1e-4) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

async function check(m: TinyModel, seed: number): Promise<Set<string>> {
  const weights = decodeWeights(m.bytes);
  const acts = await run(m, seed);
  const kinds = new Set<string>();
  const model = m.description;
  for (const [li, l] of model.layers.entries()) {
    if (l.kind === 'input') continue;
    kinds.add(l.kind);
    const src = model.layers.find((s) => s.name === l.from)!;
    const x = acts.layers[model.layers.indexOf(src)].data;
    const y = acts.layers[li].data;
    for (let index = 0; index < y.length; index++) {
      const ref = reference(l, x, src.shape, weights, index);
      const what = `${model.name}/${l.name}[${index}]`;
      near(y[index], ref.value, `${what} runtime vs loops`);
      const e: Explanation = explain(model, weights, acts, l.name, index);
      assert.equal(e.operation, l.kind, what);
      assert.equal(e.value, y[index], what);
      assert.equal(e.inputs.layer, src.name, what);
      assert.deepEqual(
        [...e.inputs.indices].sort((a, b) => a - b),
        [...ref.reads.keys()].sort((a, b) => a - b),
        `${what} inputs`,
      );
      e.inputs.indices.forEach((k, n) => assert.equal(e.inputs.values[n], x[k], `${what} input ${k}`));
      if (e.weights) {
        e.inputs.indices.forEach((k, n) =>
          near(e.weights![n], ref.reads.get(k)!, `${what} weight of ${k}`, 1e-6),
        );
        const sum = e.inputs.values.reduce((s, v, n) => s + v * e.weights![n], e.bias ?? 0);
        near(sum, y[index], `${what} Σ values·weights + bias`);
      }
      if (e.operation === 'maxpool' || e.operation === 'globalmaxpool')
        assert.equal(e.inputs.values[e.winner!], y[index], `${what} winner`);
      if ('z' in e && e.inputs.indices.length === 1) assert.equal(e.z, x[e.inputs.indices[0]]);
      if (e.operation === 'logsoftmax') near(e.z - e.logSumExp, y[index], what);
      if (e.operation === 'leakyrelu') assert.equal(e.alpha, 0.2);
      assert.ok(formula(e).length > 5, what);
    }
  }
  return kinds;
}

test('every kind beyond LeNet’s, on three tiny ONNX models: explain() matches a plain-loop recomputation', async () => {
  const kinds = new Set<string>();
  for (const [m, seed] of [
    [modelA(), 1],
    [modelB(), 2],
    [modelC(), 3],
  ] as const)
    for (const k of await check(m, seed)) kinds.add(k);
  for (const k of [
    'batchnorm',
    'leakyrelu',
    'sigmoid',
    'tanh',
    'avgpool',
    'globalavgpool',
    'globalmaxpool',
    'maxpool',
    'logsoftmax',
    'softmax',
    'flatten',
    'dense',
    'conv',
    'relu',
  ])
    assert.ok(kinds.has(k), `covered: ${k}`);
});

test('a conv window with uneven padding traces back to the right pixels; a grouped conv reads its group', async () => {
  const a = modelA();
  const acts = await run(a, 1);
  const w = decodeWeights(a.bytes);
  // conv [3, 8, 4], kernel 3×2, strides [1, 2], pads top 1 left 0: output (0, 3) reads rows −1…1 (0…1), cols 6…7
  const e = explain(a.description, w, acts, 'conv', 3);
  assert.deepEqual(e.field, { top: 0, left: 6, bottom: 1, right: 7 });
  assert.equal(e.inputs.indices.length, 4);
  const c = modelC();
  const cActs = await run(c, 3);
  const g = explain(c.description, decodeWeights(c.bytes), cActs, 'cg', 3 * 16); // output channel 3: group 1
  assert.ok(g.inputs.cells.every((cell) => cell.channel === 2 || cell.channel === 3));
  assert.equal(g.inputs.indices.length, 2 * 9);
});
