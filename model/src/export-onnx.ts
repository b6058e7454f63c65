/**
 * Writes the network as an ONNX model (opset 13) with `onnx-proto` (protobufjs-generated classes).
 * Every layer's output is also a graph output, so one `session.run` returns all activations.
 * Weights are stored as float32, or as float16 (half the bytes; the training checkpoints) under the
 * same initializer names, each followed by a Cast to float32 so every layer still computes in float32.
 */
import onnxProto from 'onnx-proto';
import { BATCH_NORM_TENSORS, elementCount, paramShapes, type ResolvedLayer } from './architecture.ts';
import { float16Bytes, fromFloat16Bits } from './float16.ts';

const { onnx } = onnxProto;

export interface NamedTensor {
  name: string;
  shape: number[];
  /** Float64 values are rounded once, to the stored type. */
  data: Float32Array | Float64Array;
}

/** How the initializers are stored: float32, or float16 cast to float32 inside the graph. */
export type WeightType = 'float32' | 'float16';

export const OPSET = 13;
const IR_VERSION = 8;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT = onnx.AttributeProto.AttributeType.INT;
const FLOAT_ATTR = onnx.AttributeProto.AttributeType.FLOAT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

const attrInt = (name: string, i: number) => ({ name, type: INT, i });
const attrInts = (name: string, ints: number[]) => ({ name, type: INTS, ints });
const attrFloat = (name: string, f: number) => ({ name, type: FLOAT_ATTR, f });

function valueInfo(name: string, shape: number[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, ...shape.map((dimValue) => ({ dimValue }))] },
      },
    },
  };
}

function littleEndianBytes(data: Float32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

const DEFAULT_DOC = 'cnn-visualizer network; every layer is also a graph output, named after the layer';

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Name of the float32 value a float16 initializer is cast to. */
const castName = (name: string) => `${name}.float32`;

/**
 * Builds the ONNX bytes (opset 13, IR 8) for the resolved layer list, with `tensors` as the
 * initializers (named and shaped as `paramShapes` says). Same inputs → identical bytes. Throws on a
 * missing, misshapen or unused tensor, and unless there is exactly one input layer.
 * With `weightType: 'float16'` the initializers keep their names but hold halves, and the graph
 * starts with one `Cast` per initializer (output `<name>.float32`) that the layers read instead.
 */
export function exportOnnx(
  layers: ResolvedLayer[],
  tensors: NamedTensor[],
  opts: { producerVersion?: string; docString?: string; weightType?: WeightType } = {},
): Uint8Array {
  const half = opts.weightType === 'float16';
  const byName = new Map<string, NamedTensor>();
  for (const t of tensors) {
    if (byName.has(t.name)) throw new Error(`two tensors named ${t.name}`);
    if (t.data.length !== elementCount(t.shape))
      throw new Error(`tensor ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    byName.set(t.name, t);
  }
  const layerShape = new Map(layers.map((l) => [l.name, l.shape]));
  const used = new Set<string>();
  const need = (name: string) => {
    if (!byName.has(name)) throw new Error(`no tensor named ${name}`);
    used.add(name);
    return half ? castName(name) : name;
  };
  const inputs = layers.filter((l) => l.kind === 'input');
  if (inputs.length !== 1) throw new Error(`expected one input layer, found ${inputs.length}`);
  const input = inputs[0];
  const nodes = [];
  for (const l of layers) {
    if (l.kind === 'input') continue;
    const fromShape = layerShape.get(l.from);
    if (!fromShape) throw new Error(`layer ${l.name} reads unknown layer ${l.from}`);
    for (const p of paramShapes(l, fromShape)) {
      const t = byName.get(p.name);
      if (t && !sameShape(t.shape, p.shape))
        throw new Error(`tensor ${p.name} has shape [${t.shape}], expected [${p.shape}]`);
    }
    const base = { name: l.name, output: [l.name], input: [l.from] };
    switch (l.kind) {
      case 'conv':
        nodes.push({
          ...base,
          opType: 'Conv',
          input: [l.from, need(`${l.name}.weight`), need(`${l.name}.bias`)],
          attribute: [
            attrInts('kernel_shape', [l.kernel, l.kernel]),
            attrInts('strides', [l.stride, l.stride]),
            attrInts('pads', [l.padding, l.padding, l.padding, l.padding]),
            attrInts('dilations', [1, 1]),
            attrInt('group', 1),
          ],
        });
        break;
      case 'relu':
        nodes.push({ ...base, opType: 'Relu' });
        break;
      case 'batchnorm':
        // inference form: the running averages as input_mean and input_var
        nodes.push({
          ...base,
          opType: 'BatchNormalization',
          input: [l.from, ...BATCH_NORM_TENSORS.map((t) => need(`${l.name}.${t}`))],
          attribute: [attrFloat('epsilon', l.epsilon), attrFloat('momentum', 1 - l.momentum)],
        });
        break;
      case 'globalavgpool':
        nodes.push({ ...base, opType: 'GlobalAveragePool' });
        break;
      case 'maxpool':
      case 'avgpool':
        nodes.push({
          ...base,
          opType: l.kind === 'maxpool' ? 'MaxPool' : 'AveragePool',
          attribute: [
            attrInts('kernel_shape', [l.kernel, l.kernel]),
            attrInts('strides', [l.stride, l.stride]),
          ],
        });
        break;
      case 'flatten':
        nodes.push({ ...base, opType: 'Flatten', attribute: [attrInt('axis', 1)] });
        break;
      case 'dense':
        nodes.push({
          ...base,
          opType: 'Gemm',
          input: [l.from, need(`${l.name}.weight`), need(`${l.name}.bias`)],
          attribute: [attrInt('transB', 1)],
        });
        break;
      case 'softmax':
        nodes.push({ ...base, opType: 'Softmax', attribute: [attrInt('axis', 1)] });
        break;
    }
  }
  const unused = tensors.filter((t) => !used.has(t.name)).map((t) => t.name);
  if (unused.length) throw new Error(`tensors used by no layer: ${unused.join(', ')}`);
  const casts = half
    ? tensors.map((t) => ({
        name: castName(t.name),
        opType: 'Cast',
        input: [t.name],
        output: [castName(t.name)],
        attribute: [attrInt('to', FLOAT)],
      }))
    : [];
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'cnn-visualizer',
    producerVersion: opts.producerVersion ?? '1',
    docString: opts.docString ?? DEFAULT_DOC,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'cnn',
      node: [...casts, ...nodes],
      initializer: tensors.map((t) => ({
        name: t.name,
        dims: t.shape,
        dataType: half ? FLOAT16 : FLOAT,
        rawData: half ? float16Bytes(t.data) : littleEndianBytes(t.data),
      })),
      input: [valueInfo(input.name, input.shape)],
      output: layers.filter((l) => l.kind !== 'input').map((l) => valueInfo(l.name, l.shape)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const num = (v: number | { toNumber(): number } | null | undefined) =>
  v == null ? 0 : typeof v === 'number' ? v : v.toNumber();

/** Reads back the initializers (name → shape and values, float16 decoded exactly) from ONNX bytes. */
export function readOnnxInitializers(
  bytes: Uint8Array,
): Map<string, { shape: number[]; data: Float32Array }> {
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of model.graph?.initializer ?? []) {
    const shape = (t.dims ?? []).map(num);
    let data: Float32Array;
    if (t.dataType === FLOAT16) {
      const raw = t.rawData ?? new Uint8Array(0);
      data = new Float32Array(raw.byteLength / 2);
      for (let i = 0; i < data.length; i++) data[i] = fromFloat16Bits(raw[2 * i] | (raw[2 * i + 1] << 8));
    } else if (t.dataType && t.dataType !== FLOAT) {
      throw new Error(`initializer ${t.name}: data type ${t.dataType} is neither float32 nor float16`);
    } else if (t.rawData && t.rawData.length) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      data = new Float32Array(t.rawData.byteLength / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    } else {
      data = Float32Array.from(t.floatData ?? []);
    }
    out.set(t.name ?? '', { shape, data });
  }
  return out;
}

type Dim = number | string;
type ValueInfo = Parameters<typeof onnx.ValueInfoProto.create>[0] & object;

/** Graph input/output names and shapes (symbolic dimensions as their names) and the opset. */
export function readOnnxSignature(bytes: Uint8Array): {
  inputs: { name: string; shape: Dim[] }[];
  outputs: { name: string; shape: Dim[] }[];
  opset: number;
} {
  const model = onnx.ModelProto.decode(bytes);
  const describe = (v: ValueInfo) => ({
    name: v.name ?? '',
    shape: (v.type?.tensorType?.shape?.dim ?? []).map((d): Dim => d.dimParam || num(d.dimValue)),
  });
  const opset = (model.opsetImport ?? []).find((o) => !o.domain)?.version;
  return {
    inputs: (model.graph?.input ?? []).map(describe),
    outputs: (model.graph?.output ?? []).map(describe),
    opset: num(opset),
  };
}
