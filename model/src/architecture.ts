/**
 * The network as data. The trainer, the ONNX exporter and `cnn.json` are all driven by this list;
 * nothing else in the model package knows that the network is LeNet-5.
 *
 * Shapes are per sample and channel-first (C×H×W for maps, [N] for vectors), as in ONNX's NCHW.
 */

export type LayerKind = 'input' | 'conv' | 'relu' | 'maxpool' | 'flatten' | 'dense' | 'softmax';

export interface InputLayer {
  kind: 'input';
  name: string;
  shape: number[];
}
export interface ConvLayer {
  kind: 'conv';
  name: string;
  from: string;
  filters: number;
  kernel: number;
  stride: number;
  padding: number;
}
export interface MaxPoolLayer {
  kind: 'maxpool';
  name: string;
  from: string;
  kernel: number;
  stride: number;
}
export interface DenseLayer {
  kind: 'dense';
  name: string;
  from: string;
  units: number;
}
export interface SimpleLayer {
  kind: 'relu' | 'flatten' | 'softmax';
  name: string;
  from: string;
}
export type LayerSpec = InputLayer | ConvLayer | MaxPoolLayer | DenseLayer | SimpleLayer;

/** A layer with its computed output shape (per sample). */
export type ResolvedLayer = LayerSpec & { shape: number[] };

/** LeNet-5 as DESIGN.md gives it. Names are stable: they are ONNX output names and `cnn.json` keys. */
export const LENET5: readonly LayerSpec[] = [
  { kind: 'input', name: 'input', shape: [1, 28, 28] },
  { kind: 'conv', name: 'conv1', from: 'input', filters: 6, kernel: 5, stride: 1, padding: 2 },
  { kind: 'relu', name: 'relu1', from: 'conv1' },
  { kind: 'maxpool', name: 'pool1', from: 'relu1', kernel: 2, stride: 2 },
  { kind: 'conv', name: 'conv2', from: 'pool1', filters: 16, kernel: 5, stride: 1, padding: 0 },
  { kind: 'relu', name: 'relu2', from: 'conv2' },
  { kind: 'maxpool', name: 'pool2', from: 'relu2', kernel: 2, stride: 2 },
  { kind: 'flatten', name: 'flatten', from: 'pool2' },
  { kind: 'dense', name: 'fc1', from: 'flatten', units: 120 },
  { kind: 'relu', name: 'relu3', from: 'fc1' },
  { kind: 'dense', name: 'fc2', from: 'relu3', units: 84 },
  { kind: 'relu', name: 'relu4', from: 'fc2' },
  { kind: 'dense', name: 'fc3', from: 'relu4', units: 10 },
  { kind: 'softmax', name: 'probabilities', from: 'fc3' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Computes every layer's output shape. The list must be in execution order, each layer reading a
 * layer defined before it; anything else is a programming error and throws.
 */
export function resolveLayers(spec: readonly LayerSpec[]): ResolvedLayer[] {
  const shapes = new Map<string, number[]>();
  const out: ResolvedLayer[] = [];
  for (const layer of spec) {
    let shape: number[];
    if (layer.kind === 'input') {
      shape = [...layer.shape];
    } else {
      const inShape = shapes.get(layer.from);
      if (!inShape)
        throw new Error(`layer ${layer.name} reads ${layer.from}, which is not defined before it`);
      switch (layer.kind) {
        case 'conv': {
          const [, h, w] = inShape;
          const oh = Math.floor((h + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
          const ow = Math.floor((w + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
          shape = [layer.filters, oh, ow];
          break;
        }
        case 'maxpool': {
          const [c, h, w] = inShape;
          shape = [
            c,
            Math.floor((h - layer.kernel) / layer.stride) + 1,
            Math.floor((w - layer.kernel) / layer.stride) + 1,
          ];
          break;
        }
        case 'dense':
          shape = [layer.units];
          break;
        case 'flatten':
          shape = [size(inShape)];
          break;
        case 'relu':
        case 'softmax':
          shape = [...inShape];
          break;
      }
    }
    if (shapes.has(layer.name)) throw new Error(`duplicate layer name ${layer.name}`);
    shapes.set(layer.name, shape);
    out.push({ ...layer, shape } as ResolvedLayer);
  }
  return out;
}

export const elementCount = size;

/** The learnable tensors of a layer, in the order they are stored, with ONNX's layouts. */
export function paramShapes(layer: ResolvedLayer, inputShape: number[]): { name: string; shape: number[] }[] {
  if (layer.kind === 'conv') {
    return [
      { name: `${layer.name}.weight`, shape: [layer.filters, inputShape[0], layer.kernel, layer.kernel] },
      { name: `${layer.name}.bias`, shape: [layer.filters] },
    ];
  }
  if (layer.kind === 'dense') {
    return [
      { name: `${layer.name}.weight`, shape: [layer.units, size(inputShape)] },
      { name: `${layer.name}.bias`, shape: [layer.units] },
    ];
  }
  return [];
}

/** How a 0–255 pixel becomes the model's input: x = (pixel / 255 − mean) / std. */
export const INPUT_NORMALIZATION = { scale: 1 / 255, mean: 0.1307, std: 0.3081 } as const;
