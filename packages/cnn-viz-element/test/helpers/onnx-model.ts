/**
 * Test helpers for the explanations: the shipped model's weights decoded straight from its ONNX
 * initializers with onnx-proto (independently of the element's own reader), and every layer's
 * activations for real MNIST digits from onnxruntime-web's Node build.
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import type { Activations } from '../../src/inference/activations.ts';
import type { ModelDescription } from '../../src/model/description.ts';
import type { Tensor } from '../../src/model/tensor.ts';

const { onnx } = onnxProto;
const modelDir = new URL('../../../../model/', import.meta.url);

export const model: ModelDescription = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8'));
export const onnxBytes = new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir)));

const num = (v: number | { toNumber(): number } | null | undefined) =>
  v == null ? 0 : typeof v === 'number' ? v : v.toNumber();

/** Initializer name → { dims, data }, decoded from raw little-endian bytes or float_data. */
export function decodeWeights(bytes: Uint8Array): Map<string, Tensor> {
  const m = onnx.ModelProto.decode(bytes);
  const out = new Map<string, Tensor>();
  for (const t of m.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map(num);
    let data: Float32Array;
    if (t.rawData && t.rawData.length) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      data = new Float32Array(t.rawData.byteLength / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true);
    } else data = Float32Array.from(t.floatData ?? []);
    out.set(t.name ?? '', { dims, data });
  }
  return out;
}

let session: Promise<ort.InferenceSession> | undefined;
export function shippedSession(): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = 1;
  session ??= ort.InferenceSession.create(onnxBytes);
  return session;
}

/** MNIST normalisation of 784 bytes. */
export function normalized(pixels: Uint8Array, m: ModelDescription = model): Float32Array {
  const { scale, mean, std } = m.input.normalization;
  return Float32Array.from(pixels, (p) => (p * scale - mean) / std);
}

/** Every layer's output for one drawing, from onnxruntime (not from the element's backends). */
export async function activationsFor(
  pixels: Uint8Array,
  s?: ort.InferenceSession,
  m: ModelDescription = model,
): Promise<Activations> {
  const sess = s ?? (await shippedSession());
  const input = normalized(pixels, m);
  const out = await sess.run({ [m.input.name]: new ort.Tensor('float32', input, [1, ...m.input.shape]) });
  const layers = m.layers.map((l, i) => ({
    name: l.name,
    kind: l.kind,
    shape: l.shape,
    data: i === 0 ? input : (out[l.name].data as Float32Array),
  }));
  const probabilities = layers[layers.length - 1].data;
  let prediction = 0;
  for (let c = 1; c < probabilities.length; c++)
    if (probabilities[c] > probabilities[prediction]) prediction = c;
  return { layers, probabilities, prediction };
}

/** Probabilities of several drawings in one run (N × 1 × 28 × 28). */
export async function predictBatch(batch: Uint8Array[]): Promise<Float32Array[]> {
  const sess = await shippedSession();
  const input = new Float32Array(batch.length * 784);
  batch.forEach((p, k) => input.set(normalized(p), k * 784));
  const last = model.layers[model.layers.length - 1].name;
  const out = await sess.run(
    { [model.input.name]: new ort.Tensor('float32', input, [batch.length, 1, 28, 28]) },
    [last],
  );
  const p = out[last].data as Float32Array;
  return batch.map((_, k) => p.subarray(k * 10, (k + 1) * 10));
}
