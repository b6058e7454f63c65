/**
 * Tiny ONNX models written here with onnx-proto, for explaining the layer kinds LeNet does not have:
 * a chain of nodes over a small image, every layer's output a graph output, seeded random weights,
 * and the hand-written description of the same chain (what `cnn-visualizer/onnx` would derive).
 */
import onnxProto from 'onnx-proto';
import type { LayerDescription, ModelDescription } from '../../src/model/description.ts';
import type { Tensor } from '../../src/model/tensor.ts';
import { seededRandom } from './mnist.ts';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;

export type Attr = number | number[] | { f: number };

export interface TinyNode {
  op: string;
  inputs: string[];
  output: string;
  attrs?: Record<string, Attr>;
}

export interface TinyModel {
  bytes: Uint8Array;
  description: ModelDescription;
  weights: Map<string, Tensor>;
}

/** Seeded weights: name → dims; values in [−scale, scale] (variances in (0.5, 1.5]). */
export function randomTensors(
  spec: Record<string, number[]>,
  seed: number,
  scale = 0.6,
): Map<string, Tensor> {
  const rng = seededRandom(seed);
  const out = new Map<string, Tensor>();
  for (const [name, dims] of Object.entries(spec)) {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () =>
      /var/.test(name) ? 0.5 + rng() : (rng() * 2 - 1) * scale,
    );
    out.set(name, { dims, data });
  }
  return out;
}

export function tinyModel(
  inputShape: number[],
  nodes: TinyNode[],
  layers: LayerDescription[],
  weights: Map<string, Tensor>,
  classes: string[],
): TinyModel {
  const attribute = (name: string, v: Attr) =>
    typeof v === 'number'
      ? { name, type: A.INT, i: v }
      : Array.isArray(v)
        ? { name, type: A.INTS, ints: v }
        : { name, type: A.FLOAT, f: v.f };
  const info = (name: string, shape: number[]) => ({
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: [{ dimValue: 1 }, ...shape.map((dimValue) => ({ dimValue }))] },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node: nodes.map((n) => ({
        opType: n.op,
        input: n.inputs,
        output: [n.output],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: [...weights].map(([name, t]) => ({
        name,
        dims: t.dims,
        dataType: 1,
        floatData: Array.from(t.data),
      })),
      input: [info('input', inputShape)],
      output: layers.slice(1).map((l) => info(l.name, l.shape)),
    },
  });
  const description: ModelDescription = {
    format: 'cnn-visualizer/model@1',
    name: 'tiny',
    version: 'test',
    onnx: 'tiny.onnx',
    input: { name: 'input', shape: inputShape, normalization: { scale: 1 / 255, mean: 0.5, std: 0.25 } },
    layers,
    classes,
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), description, weights };
}
