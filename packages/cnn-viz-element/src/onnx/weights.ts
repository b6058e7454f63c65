/**
 * The learnt tensors of an ONNX model (its float initializers and float Constant nodes) as `Weights`:
 * what the explanations compute with. DOM-free, synchronous, no protobuf code needed.
 */
import type { Tensor, Weights } from '../model/tensor.js';
import { num, type OnnxModel, type OnnxTensor } from './proto.js';

const FLOAT = 1;
const FLOAT16 = 10;
const DOUBLE = 11;
const BFLOAT16 = 16;
const EXTERNAL = 1;

/** Whether `readTensor` can turn this tensor into a Float32Array. */
export const isFloatTensor = (t: OnnxTensor): boolean =>
  t.dataType === FLOAT || t.dataType === FLOAT16 || t.dataType === DOUBLE || t.dataType === BFLOAT16;

/** IEEE half-precision bits → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const bfloatToFloat = (b: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (b & 0xffff) << 16);
  return view.getFloat32(0);
};

/**
 * One float tensor (float32, float16, bfloat16 or double; `raw_data` little-endian or the typed
 * fields) as float32. Throws an Error naming the tensor if its data is missing, external, or does not
 * match its dims.
 */
export function readTensor(t: OnnxTensor): Tensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.dataLocation === EXTERNAL)
    throw new Error(
      `tensor "${name}" keeps its values in an external file: export the model with its weights inside (one .onnx file)`,
    );
  if (!isFloatTensor(t))
    throw new Error(`tensor "${name}" is not a float tensor (ONNX data type ${t.dataType})`);
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  const data = new Float32Array(count);
  let found: number;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = t.dataType === FLOAT ? 4 : t.dataType === DOUBLE ? 8 : 2;
    found = raw.byteLength / size;
    if (found === count)
      for (let i = 0; i < count; i++)
        data[i] =
          t.dataType === FLOAT
            ? view.getFloat32(i * 4, true)
            : t.dataType === DOUBLE
              ? view.getFloat64(i * 8, true)
              : t.dataType === FLOAT16
                ? halfToFloat(view.getUint16(i * 2, true))
                : bfloatToFloat(view.getUint16(i * 2, true));
  } else {
    // float16 and bfloat16 values sit in int32_data, one 16-bit pattern each
    const values = t.dataType === FLOAT ? t.floatData : t.dataType === DOUBLE ? t.doubleData : t.int32Data;
    found = values?.length ?? 0;
    if (found === count)
      for (let i = 0; i < count; i++) {
        const v = values![i];
        data[i] = t.dataType === FLOAT16 ? halfToFloat(v) : t.dataType === BFLOAT16 ? bfloatToFloat(v) : v;
      }
  }
  if (found !== count)
    throw new Error(`tensor "${name}" has ${found} values for dims [${dims.join(', ')}] (${count} expected)`);
  return { dims, data };
}

/**
 * The model's float initializers, and the float tensors of its Constant nodes (under their output's
 * name), keyed by the names `LayerDescription.params` lists. Integer tensors (shapes, axes) are left
 * out. Throws an Error naming the tensor when its data cannot be read (external file, wrong length).
 */
export function readWeights(model: OnnxModel): Weights {
  const out = new Map<string, Tensor>();
  const graph = model.graph ?? {};
  for (const t of graph.initializer ?? []) if (isFloatTensor(t)) out.set(t.name ?? '', readTensor(t));
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant' || !node.output?.[0]) continue;
    const attr = node.attribute?.[0];
    if (!attr) continue;
    if (attr.name === 'value' && attr.t && isFloatTensor(attr.t))
      out.set(node.output[0], readTensor({ ...attr.t, name: node.output[0] }));
    else if (attr.name === 'value_float')
      out.set(node.output[0], { dims: [], data: Float32Array.of(attr.f ?? 0) });
    else if (attr.name === 'value_floats') {
      const data = Float32Array.from(attr.floats ?? []);
      out.set(node.output[0], { dims: [data.length], data });
    }
  }
  return out;
}
