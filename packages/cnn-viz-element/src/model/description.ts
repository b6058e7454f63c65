/**
 * The network described as data: `cnn.json` (written by the model package's trainer) or derived from
 * any small ONNX classifier's graph (`cnn-visualizer/onnx`). The renderer lays out whatever layers this
 * lists; nothing in the element hard-codes LeNet's shapes. DOM-free.
 */
import type { Normalization } from './normalization.js';

export type { Normalization, NormalizationPreset } from './normalization.js';
export { NORMALIZATION_PRESETS, normalizeInput, parseNormalization } from './normalization.js';

/** What a layer does. Every kind but `input` is one drawn layer (one ONNX operator, or MatMul + Add). */
export type LayerKind =
  | 'input'
  | 'conv'
  | 'batchnorm'
  | 'relu'
  | 'leakyrelu'
  | 'sigmoid'
  | 'tanh'
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'globalmaxpool'
  | 'flatten'
  | 'dense'
  | 'softmax'
  | 'logsoftmax';

export const LAYER_KINDS: readonly LayerKind[] = [
  'input',
  'conv',
  'batchnorm',
  'relu',
  'leakyrelu',
  'sigmoid',
  'tanh',
  'maxpool',
  'avgpool',
  'globalavgpool',
  'globalmaxpool',
  'flatten',
  'dense',
  'softmax',
  'logsoftmax',
];

export interface LayerDescription {
  /** The tensor's name: the ONNX graph output an inference backend asks for. */
  name: string;
  kind: LayerKind;
  /** Per-sample output shape: [channels, height, width] for maps, [units] for vectors. */
  shape: number[];
  /** The layer this one reads from (absent for the input). */
  from?: string;
  /**
   * A short name for people (e.g. `conv1` for the tensor `/conv1/Conv_output_0`), from the ONNX node
   * names; absent when `name` already reads well (cnn.json). Unique within a model.
   */
  label?: string;
  /** The ONNX operator(s) the layer comes from, e.g. `Conv`, `Gemm`, `MatMul+Add` (derived models). */
  op?: string;
  /** Conv and pooling: the window's side, the step and the zero padding, when the same on both axes. */
  kernel?: number;
  stride?: number;
  padding?: number;
  /** Conv and pooling read from ONNX: window [height, width] (always set, square or not). */
  kernelShape?: [number, number];
  /** Conv and pooling read from ONNX: step [vertical, horizontal]. */
  strides?: [number, number];
  /** Conv and pooling read from ONNX: zero padding [top, left, bottom, right] (auto_pad resolved). */
  pads?: [number, number, number, number];
  /** Pooling with ONNX's `ceil_mode`: the last window may hang over the bottom/right edge. */
  ceilMode?: boolean;
  /** AveragePool: whether padded zeros count in the average (ONNX `count_include_pad`, default false). */
  countIncludePad?: boolean;
  filters?: number;
  units?: number;
  /** LeakyRelu: the slope for negative inputs. */
  alpha?: number;
  /** BatchNormalization: y = scale · (x − mean) / √(variance + epsilon) + bias. */
  epsilon?: number;
  /**
   * Dense: how the weight tensor is laid out: `out-in` ([units, inputs], Gemm with transB = 1, as
   * PyTorch's Linear and cnn.json) or `in-out` ([inputs, units], MatMul, Gemm with transB = 0).
   * Absent means `out-in`.
   */
  weightLayout?: 'out-in' | 'in-out';
  /**
   * Flatten: the order the map's values are read in. `chw` (absent: the default) is ONNX's and
   * PyTorch's; `hwc` is channels-last (a Keras model: Transpose to NHWC, then Flatten).
   */
  order?: 'chw' | 'hwc';
  /** Learnable tensors of the layer and their shapes (ONNX initializer names, as `Weights` keys). */
  params?: Record<string, number[]>;
  /**
   * Which of `params` plays which part (derived models): conv/dense `weight`, `bias`; batch norm
   * `scale`, `bias`, `mean`, `variance`. cnn.json's layers name theirs `<layer>.weight`, `<layer>.bias`.
   */
  tensors?: Partial<Record<'weight' | 'bias' | 'scale' | 'mean' | 'variance', string>>;
}

export interface ModelDescription {
  format: string;
  name: string;
  /** Changes whenever the weights do (a hash of the ONNX bytes). */
  version: string;
  /** ONNX file name, relative to the description's URL. */
  onnx: string;
  input: {
    name: string;
    shape: number[];
    /**
     * x = (pixel · scale − mean) / std, pixel 0–255 with 255 = ink (MNIST's convention); with
     * `perChannel`, channel c uses perChannel.mean[c] and perChannel.std[c] instead (see
     * `normalization.ts` for the presets).
     */
    normalization: Normalization;
    /**
     * Whether the model was trained on bright ink on a dark background (`bright`, MNIST, the default)
     * or dark ink on a light one (`dark`: the pixel is inverted, 255 − p, before normalising).
     */
    ink?: 'bright' | 'dark';
    /** The batch dimension of the ONNX input: `symbolic` (any batch) or fixed at 1. */
    batch?: 'symbolic' | 1;
    /** How a drawing becomes the input, in words. */
    preprocessing?: string;
  };
  /** In execution order. Every layer but the input is an ONNX graph output of the same name. */
  layers: LayerDescription[];
  classes: string[];
  /**
   * What the last layer gives. `probabilities` (absent: the default) when the graph ends with a
   * Softmax; `logits` when it ends without one and `log-probabilities` when it ends with LogSoftmax:
   * then the element shows softmax(last layer) as the probabilities and tells the reader so.
   */
  scores?: 'probabilities' | 'logits' | 'log-probabilities';
  /** Things a reader or an author should know about this model, in words (e.g. "larger than …"). */
  warnings?: string[];
  metrics?: {
    testAccuracy: number;
    testSet?: string;
    /** confusion[label][prediction] on the test set. */
    confusionMatrix?: number[][];
  };
  /**
   * The same network at moments of its training, oldest first (e.g. before any step, after 10 steps,
   * …, after the last epoch); the last entry is the shipped model, `onnx` itself. Every file has this
   * description's graph: the same input, every layer as a graph output, the same initializer names
   * (`params`), so a view can swap one in and keep its layout. Only the weights differ. Earlier files
   * store their initializers as float16 (ONNX data type 10, under the same names), each cast to float32
   * inside the graph: onnxruntime runs them as they are, and a reader of the weights decodes float16.
   * Absent when the model comes without its training history.
   */
  checkpoints?: CheckpointDescription[];
}

/** One moment of a model's training: its weights as an ONNX file, and how well they did. */
export interface CheckpointDescription {
  /** Optimizer steps (batches) done before this moment; 0 = the initial random weights. */
  step: number;
  /** Epochs done, step / steps per epoch: whole at the end of an epoch, a fraction within one. */
  epoch: number;
  /** Training images seen so far. */
  images?: number;
  /** ONNX file, relative to the description's URL (like `onnx`), e.g. `checkpoints/step-000010.onnx`. */
  onnx: string;
  /** Accuracy of this very file on the test set of `metrics` (0–1). */
  testAccuracy: number;
}

export const layerSize = (l: Pick<LayerDescription, 'shape'>): number => l.shape.reduce((a, b) => a * b, 1);

/** Checks the parts of a description the element relies on; throws a readable error otherwise. */
export function validateDescription(json: unknown): ModelDescription {
  const d = json as ModelDescription;
  const fail = (why: string) => {
    throw new Error(`invalid model description: ${why}`);
  };
  if (!d || typeof d !== 'object') fail('not a JSON object');
  if (!Array.isArray(d.layers) || d.layers.length < 2)
    fail('"layers" must list at least an input and an output');
  if (d.layers[0].kind !== 'input') fail('the first layer must be the input');
  const names = new Set<string>();
  for (const l of d.layers) {
    if (
      typeof l.name !== 'string' ||
      !Array.isArray(l.shape) ||
      l.shape.some((n) => !Number.isInteger(n) || n <= 0)
    )
      fail(`layer ${JSON.stringify(l.name)} has no valid name and shape`);
    if (!LAYER_KINDS.includes(l.kind)) fail(`layer ${l.name} has an unknown kind ${JSON.stringify(l.kind)}`);
    if (l.kind !== 'input' && !names.has(l.from ?? ''))
      fail(`layer ${l.name} reads ${l.from}, not defined before it`);
    names.add(l.name);
  }
  const norm = d.input?.normalization;
  if (!norm) fail('"input.normalization" is missing');
  if (![norm.scale, norm.mean, norm.std].every(Number.isFinite) || norm.std === 0)
    fail('"input.normalization" needs finite scale, mean and a non-zero std');
  if (norm.perChannel) {
    const channels = d.input.shape?.[0];
    const { mean, std } = norm.perChannel;
    if (mean?.length !== channels || std?.length !== channels || std.some((s) => !s))
      fail(`"input.normalization.perChannel" needs ${channels} means and ${channels} non-zero stds`);
  }
  if (d.scores !== undefined && !['probabilities', 'logits', 'log-probabilities'].includes(d.scores))
    fail(`"scores" is ${JSON.stringify(d.scores)}`);
  if (!Array.isArray(d.classes)) fail('"classes" is missing');
  return d;
}
