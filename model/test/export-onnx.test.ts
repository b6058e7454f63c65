// The ONNX writer on its own: random LeNet-5 weights exported, loaded by onnxruntime-web (WASM, in
// Node) and checked against hand-computed layers, plus the readers the other tests rely on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { elementCount, LENET5, paramShapes, resolveLayers, type ResolvedLayer } from '../src/architecture.ts';
import { exportOnnx, readOnnxInitializers, readOnnxSignature, type NamedTensor } from '../src/export-onnx.ts';
import { roundToFloat16 } from '../src/float16.ts';
import { mulberry32 } from '../src/random.ts';

const layers: ResolvedLayer[] = resolveLayers(LENET5);
const layerByName = new Map(layers.map((l) => [l.name, l]));
const nonInput = layers.filter((l) => l.kind !== 'input');

/** Uniform weights scaled by fan-in (so activations stay O(1) and ReLUs see both signs). */
function randomTensors(seed: number): NamedTensor[] {
  const rnd = mulberry32(seed);
  const out: NamedTensor[] = [];
  for (const l of nonInput) {
    const from = layerByName.get((l as { from: string }).from)!;
    for (const p of paramShapes(l, from.shape)) {
      const n = elementCount(p.shape);
      const fanIn = p.shape.length > 1 ? n / p.shape[0] : 1;
      const scale = Math.sqrt(6 / fanIn);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (rnd() * 2 - 1) * scale;
      out.push({ name: p.name, shape: p.shape, data });
    }
  }
  return out;
}

const tensors = randomTensors(12345);
const tensorByName = new Map(tensors.map((t) => [t.name, t]));
const bytes = exportOnnx(layers, tensors, { producerVersion: 'test', docString: 'export-onnx test' });

const BATCH = 2;
const [C, H, W] = layers[0].shape;
const inputData = new Float32Array(BATCH * C * H * W);
{
  const rnd = mulberry32(777);
  for (let i = 0; i < inputData.length; i++) inputData[i] = rnd() * 4 - 2;
}

let session: ort.InferenceSession;
let result: Record<string, ort.Tensor>;
const act = (name: string) => result[name].data as Float32Array;

before(async () => {
  ort.env.wasm.numThreads = 1;
  session = await ort.InferenceSession.create(bytes);
  result = await session.run({ input: new ort.Tensor('float32', inputData, [BATCH, C, H, W]) });
});
after(async () => {
  await session?.release();
});

/** |a − b| ≤ tol · max(1, |b|). */
function close(actual: number, expected: number, tol: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: onnx ${actual} vs expected ${expected}`,
  );
}

test('every non-input layer is a graph output, in layer order, with the declared shape', () => {
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(
    session.outputNames,
    nonInput.map((l) => l.name),
  );
  for (const l of nonInput) {
    assert.ok(result[l.name], `output ${l.name} missing`);
    assert.equal(result[l.name].type, 'float32', `type of ${l.name}`);
    assert.deepEqual(result[l.name].dims, [BATCH, ...l.shape], `shape of ${l.name}`);
  }
});

test('readOnnxSignature reports opset ≥ 13, the symbolic batch and every layer shape', () => {
  const sig = readOnnxSignature(bytes);
  assert.ok(sig.opset >= 13, `opset ${sig.opset}`);
  assert.deepEqual(sig.inputs, [{ name: 'input', shape: ['batch', 1, 28, 28] }]);
  assert.deepEqual(
    sig.outputs,
    nonInput.map((l) => ({ name: l.name, shape: ['batch', ...l.shape] })),
  );
});

test('readOnnxInitializers round-trips every tensor exactly', () => {
  const inits = readOnnxInitializers(bytes);
  assert.deepEqual(
    [...inits.keys()],
    tensors.map((t) => t.name),
  );
  for (const t of tensors) {
    const got = inits.get(t.name)!;
    assert.deepEqual(got.shape, t.shape, `shape of ${t.name}`);
    assert.equal(got.data.length, t.data.length);
    for (let i = 0; i < t.data.length; i++)
      assert.ok(Object.is(got.data[i], t.data[i]), `${t.name}[${i}]: ${got.data[i]} vs ${t.data[i]}`);
  }
});

test('export is deterministic and rejects missing, misshapen or unused tensors', () => {
  const again = exportOnnx(
    layers,
    tensors.map((t) => ({ ...t, shape: [...t.shape], data: t.data.slice() })),
    { producerVersion: 'test', docString: 'export-onnx test' },
  );
  assert.ok(Buffer.from(again).equals(Buffer.from(bytes)), 'same inputs give identical bytes');
  assert.throws(() => exportOnnx(layers, tensors.slice(1)), /no tensor named conv1\.weight/);
  const bad = tensors.map((t) => (t.name === 'fc1.weight' ? { ...t, shape: [400, 120] } : t));
  assert.throws(() => exportOnnx(layers, bad), /fc1\.weight has shape/);
  const extra = [...tensors, { name: 'stray', shape: [1], data: new Float32Array(1) }];
  assert.throws(() => exportOnnx(layers, extra), /used by no layer: stray/);
});

test('probabilities are a softmax of fc3 and sum to 1', () => {
  const p = act('probabilities');
  const logits = act('fc3');
  for (let b = 0; b < BATCH; b++) {
    const row = Array.from(logits.subarray(b * 10, b * 10 + 10));
    const max = Math.max(...row);
    const exps = row.map((x) => Math.exp(x - max));
    const sum = exps.reduce((a, c) => a + c, 0);
    let total = 0;
    for (let k = 0; k < 10; k++) {
      total += p[b * 10 + k];
      close(p[b * 10 + k], exps[k] / sum, 1e-5, `probabilities[${b},${k}]`);
    }
    assert.ok(Math.abs(total - 1) < 1e-5, `sample ${b} sums to ${total}`);
  }
});

test('every ReLU output equals max(0, its pre-activation)', () => {
  for (const l of nonInput) {
    if (l.kind !== 'relu') continue;
    const out = act(l.name);
    const pre = act(l.from);
    assert.equal(out.length, pre.length);
    let positives = 0;
    for (let i = 0; i < out.length; i++) {
      assert.equal(out[i], Math.max(0, pre[i]), `${l.name}[${i}]`);
      if (pre[i] > 0) positives++;
    }
    assert.ok(positives > 0 && positives < pre.length, `${l.name} sees both signs`);
  }
});

test('conv1 equals a hand-computed 5×5 convolution with padding 2 (≤ 1e-4)', () => {
  const conv = layerByName.get('conv1')!;
  assert.equal(conv.kind, 'conv');
  if (conv.kind !== 'conv') return;
  const w = tensorByName.get('conv1.weight')!.data;
  const bias = tensorByName.get('conv1.bias')!.data;
  const [F, OH, OW] = conv.shape;
  const k = conv.kernel;
  const pad = conv.padding;
  const out = act('conv1');
  // corners and edges (where padding matters) and a few interior points
  const positions = [
    [0, 0],
    [0, 27],
    [27, 0],
    [27, 27],
    [1, 14],
    [13, 1],
    [14, 14],
    [5, 22],
  ];
  for (let b = 0; b < BATCH; b++)
    for (let f = 0; f < F; f++)
      for (const [y, x] of positions) {
        let s = bias[f];
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = y * conv.stride + ky - pad;
              const ix = x * conv.stride + kx - pad;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += w[((f * C + c) * k + ky) * k + kx] * inputData[((b * C + c) * H + iy) * W + ix];
            }
        close(out[((b * F + f) * OH + y) * OW + x], s, 1e-4, `conv1[${b},${f},${y},${x}]`);
      }
});

test('pool1 is a 2×2 max of relu1, and flatten is pool2 in NCHW order', () => {
  const [c1, h1, w1] = layerByName.get('relu1')!.shape;
  const [, ph, pw] = layerByName.get('pool1')!.shape;
  const relu1 = act('relu1');
  const pool1 = act('pool1');
  for (let b = 0; b < BATCH; b++)
    for (let c = 0; c < c1; c++)
      for (let y = 0; y < ph; y++)
        for (let x = 0; x < pw; x++) {
          const at = (yy: number, xx: number) => relu1[((b * c1 + c) * h1 + yy) * w1 + xx];
          const m = Math.max(
            at(2 * y, 2 * x),
            at(2 * y, 2 * x + 1),
            at(2 * y + 1, 2 * x),
            at(2 * y + 1, 2 * x + 1),
          );
          assert.equal(pool1[((b * c1 + c) * ph + y) * pw + x], m, `pool1[${b},${c},${y},${x}]`);
        }
  assert.deepEqual(act('flatten'), act('pool2'));
});

test('fc1 equals a hand-computed Gemm of flatten (W·x + b, W stored [units, inputs])', () => {
  const fc1 = layerByName.get('fc1')!;
  const [units] = fc1.shape;
  const [inputs] = layerByName.get('flatten')!.shape;
  const w = tensorByName.get('fc1.weight')!;
  assert.deepEqual(w.shape, [units, inputs]);
  const bias = tensorByName.get('fc1.bias')!.data;
  const x = act('flatten');
  const out = act('fc1');
  for (let b = 0; b < BATCH; b++)
    for (let u = 0; u < units; u++) {
      let s = bias[u];
      for (let i = 0; i < inputs; i++) s += w.data[u * inputs + i] * x[b * inputs + i];
      close(out[b * units + u], s, 1e-4, `fc1[${b},${u}]`);
    }
});

test('float16 weights: same names, shapes and outputs, half the bytes, the same activations as float32', async () => {
  const rounded = tensors.map((t) => ({ ...t, data: Float32Array.from(t.data, roundToFloat16) }));
  const half = exportOnnx(layers, tensors, { weightType: 'float16' });
  const full = exportOnnx(layers, rounded);
  assert.ok(half.length < 0.52 * full.length, `${half.length} B vs ${full.length} B`);
  const again = exportOnnx(layers, rounded, { weightType: 'float16' });
  assert.ok(Buffer.from(again).equals(Buffer.from(half)), 'deterministic, and exact for float16 values');
  assert.deepEqual(readOnnxSignature(half), readOnnxSignature(full));
  const inits = readOnnxInitializers(half);
  assert.deepEqual(
    [...inits].map(([name, t]) => [name, t.shape]),
    tensors.map((t) => [t.name, t.shape]),
  );
  for (const t of rounded) assert.deepEqual(inits.get(t.name)!.data, t.data, `${t.name} reads back rounded`);
  const x = { input: new ort.Tensor('float32', inputData, [BATCH, C, H, W]) };
  const [a, b] = await Promise.all([half, full].map((m) => ort.InferenceSession.create(m)));
  const [ra, rb] = [await a.run(x), await b.run(x)];
  assert.deepEqual(a.outputNames, session.outputNames);
  for (const l of nonInput) {
    assert.equal(ra[l.name].type, 'float32', `${l.name} computes in float32`);
    assert.deepEqual(
      ra[l.name].data,
      rb[l.name].data,
      `${l.name}: float16 model = float32 model of its weights`,
    );
  }
  await Promise.all([a.release(), b.release()]);
});
