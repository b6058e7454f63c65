/**
 * The networks as data. The trainer, the ONNX exporter and `cnn.json` are all driven by these lists;
 * nothing else in the model package knows that a network is LeNet-5 or the small VGG.
 *
 * Shapes are per sample and channel-first (C×H×W for maps, [N] for vectors), as in ONNX's NCHW.
 */

export type LayerKind =
  | 'input'
  | 'conv'
  | 'batchnorm'
  | 'relu'
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'flatten'
  | 'dense'
  | 'softmax';

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
/**
 * Batch normalisation of each channel: in training with the batch's mean and variance (over the
 * batch and the map's positions), which also move the running averages
 * (running = (1 − momentum) · running + momentum · batch, the variance unbiased, as PyTorch does);
 * in inference (and in ONNX's BatchNormalization) with the running averages.
 */
export interface BatchNormLayer {
  kind: 'batchnorm';
  name: string;
  from: string;
  epsilon: number;
  momentum: number;
}
/** Max or average over each k×k window (no padding; the average counts the whole window). */
export interface PoolLayer {
  kind: 'maxpool' | 'avgpool';
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
  kind: 'relu' | 'flatten' | 'softmax' | 'globalavgpool';
  name: string;
  from: string;
}
export type LayerSpec = InputLayer | ConvLayer | BatchNormLayer | PoolLayer | DenseLayer | SimpleLayer;

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

const BN = { epsilon: 1e-5, momentum: 0.1 } as const;

/**
 * A small VGG: three 3×3 convolutions with zero padding 1 (the map keeps its size), each followed by
 * batch normalisation, ReLU and 2×2 average pooling (28 → 14 → 7 → 3: the last pool, like PyTorch's,
 * leaves out the 7×7 map's last row and column), then a dense classifier.
 */
export const SMALL_VGG: readonly LayerSpec[] = [
  { kind: 'input', name: 'input', shape: [1, 28, 28] },
  { kind: 'conv', name: 'conv1', from: 'input', filters: 12, kernel: 3, stride: 1, padding: 1 },
  { kind: 'batchnorm', name: 'bn1', from: 'conv1', ...BN },
  { kind: 'relu', name: 'relu1', from: 'bn1' },
  { kind: 'avgpool', name: 'pool1', from: 'relu1', kernel: 2, stride: 2 },
  { kind: 'conv', name: 'conv2', from: 'pool1', filters: 24, kernel: 3, stride: 1, padding: 1 },
  { kind: 'batchnorm', name: 'bn2', from: 'conv2', ...BN },
  { kind: 'relu', name: 'relu2', from: 'bn2' },
  { kind: 'avgpool', name: 'pool2', from: 'relu2', kernel: 2, stride: 2 },
  { kind: 'conv', name: 'conv3', from: 'pool2', filters: 48, kernel: 3, stride: 1, padding: 1 },
  { kind: 'batchnorm', name: 'bn3', from: 'conv3', ...BN },
  { kind: 'relu', name: 'relu3', from: 'bn3' },
  { kind: 'avgpool', name: 'pool3', from: 'relu3', kernel: 2, stride: 2 },
  { kind: 'flatten', name: 'flatten', from: 'pool3' },
  { kind: 'dense', name: 'fc1', from: 'flatten', units: 64 },
  { kind: 'relu', name: 'relu4', from: 'fc1' },
  { kind: 'dense', name: 'fc2', from: 'relu4', units: 10 },
  { kind: 'softmax', name: 'probabilities', from: 'fc2' },
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
        case 'maxpool':
        case 'avgpool': {
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
        case 'globalavgpool':
          shape = [inShape[0], 1, 1];
          break;
        case 'relu':
        case 'softmax':
        case 'batchnorm':
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

/**
 * The tensors of a layer, in the order they are stored, with ONNX's layouts. A batch norm's `.mean`
 * and `.var` are its running averages: stored with the parameters (and exported), never learnt by
 * gradient (their gradient is zero; training updates them as `BatchNormLayer` says).
 */
export function paramShapes(layer: ResolvedLayer, inputShape: number[]): { name: string; shape: number[] }[] {
  if (layer.kind === 'batchnorm') {
    const c = [inputShape[0]];
    return BATCH_NORM_TENSORS.map((t) => ({ name: `${layer.name}.${t}`, shape: c }));
  }
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

/** A batch norm's tensors, in ONNX BatchNormalization's input order (scale, B, input_mean, input_var). */
export const BATCH_NORM_TENSORS = ['scale', 'bias', 'mean', 'var'] as const;

/** How a 0–255 pixel becomes the model's input: x = (pixel / 255 − mean) / std. */
export const INPUT_NORMALIZATION = { scale: 1 / 255, mean: 0.1307, std: 0.3081 } as const;
