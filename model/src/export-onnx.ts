/**
 * Writes the network as an ONNX model (opset 13) with `onnx-proto` (protobufjs-generated classes).
 * Every layer's output is also a graph output, so one `session.run` returns all activations.
 */
import onnxProto from 'onnx-proto';
import type { ResolvedLayer } from './architecture.ts';

const { onnx } = onnxProto;

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export const OPSET = 13;
const IR_VERSION = 8;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

const attrInt = (name: string, i: number) => ({ name, type: INT, i });
const attrInts = (name: string, ints: number[]) => ({ name, type: INTS, ints });

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

function littleEndianBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Builds the ONNX bytes for the resolved layer list. Same inputs → identical bytes. */
export function exportOnnx(
  layers: ResolvedLayer[],
  tensors: NamedTensor[],
  opts: { producerVersion?: string; docString?: string } = {},
): Uint8Array {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const need = (name: string) => {
    const t = byName.get(name);
    if (!t) throw new Error(`no tensor named ${name}`);
    return name;
  };
  const nodes = [];
  let input: ResolvedLayer | undefined;
  for (const l of layers) {
    if (l.kind === 'input') {
      input = l;
      continue;
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
      case 'maxpool':
        nodes.push({
          ...base,
          opType: 'MaxPool',
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
  if (!input) throw new Error('the layer list has no input layer');
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'cnn-visualizer',
    producerVersion: opts.producerVersion ?? '1',
    docString: opts.docString ?? '',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'cnn',
      node: nodes,
      initializer: tensors.map((t) => ({
        name: t.name,
        dims: t.shape,
        dataType: FLOAT,
        rawData: littleEndianBytes(t.data),
      })),
      input: [valueInfo(input.name, input.shape)],
      output: layers.filter((l) => l.kind !== 'input').map((l) => valueInfo(l.name, l.shape)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const num = (v: number | { toNumber(): number } | null | undefined) =>
  v == null ? 0 : typeof v === 'number' ? v : v.toNumber();

/** Reads back the initializers (name → shape and values) from ONNX bytes. */
export function readOnnxInitializers(
  bytes: Uint8Array,
): Map<string, { shape: number[]; data: Float32Array }> {
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of model.graph?.initializer ?? []) {
    const shape = (t.dims ?? []).map(num);
    let data: Float32Array;
    if (t.rawData && t.rawData.length) {
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
