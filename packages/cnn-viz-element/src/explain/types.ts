/**
 * What `explain()` returns: how one number on screen (one cube) was computed from the numbers before
 * it, with the real values of the current drawing and the model's own weights. DOM-free.
 *
 * Every explanation has the fields the public `explain(layer, index)` promises (`layer`, `index`,
 * `value`, `operation`, `inputs`, and for weighted layers `weights` and `bias`), plus what a panel
 * needs to draw the picture, discriminated by `operation`.
 */

/** Where a number sits in its layer: channel, row, column; vector layers have `row = -1`, `col` = unit. */
export interface Cell {
  channel: number;
  row: number;
  col: number;
}

/** A rectangle of input pixels, inclusive (the part of the drawing a number depends on). */
export interface PixelBox {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface ExplanationInputs {
  /** The layer read ('' for the input layer, which reads the drawing itself). */
  layer: string;
  /** Flat indices (channel-major) into that layer's activation; padded positions are left out. */
  indices: number[];
  /** Their values for this drawing; `weights[i]` (if any) multiplies `values[i]`. */
  values: number[];
  /** Their positions, `cells[i]` for `indices[i]`. */
  cells: Cell[];
}

interface Base<K extends string> {
  layer: string;
  /** Flat index into the layer's activation, channel-major (as in `Activations`). */
  index: number;
  /** The number on screen: the layer's output for this drawing (before any following activation). */
  value: number;
  operation: K;
  /** Where the number sits in its layer. */
  cell: Cell;
  /** The class this number stands for, in the output layer and the raw scores feeding it ("7"). */
  label?: string;
  /** Every input that contributes. */
  inputs: ExplanationInputs;
  weights?: number[];
  bias?: number;
  /** The pixels of the drawing this number depends on (its receptive field traced back to the input). */
  field: PixelBox;
}

/** A pixel of the drawing as the network reads it. */
export interface InputExplanation extends Base<'input'> {
  /** The drawing's ink 0–255 at this pixel (255 = full ink), recovered from the normalised value. */
  ink: number;
  /** What the network reads (= `value`): (p · scale − mean) / std, p = ink, or 255 − ink for a model
   * trained on dark ink (`inverted`); mean and std of this channel. */
  normalized: number;
  normalization: { scale: number; mean: number; std: number };
  inverted: boolean;
}

/** A weighted sum over a window of all input channels: `value = Σ inputs.values · weights + bias`. */
export interface ConvExplanation extends Base<'conv'> {
  weights: number[];
  bias: number;
  /** Σ inputs.values · weights + bias, recomputed in double precision (≈ value). */
  sum: number;
  /** The filter that made this output channel, as a grid. */
  kernel: {
    /** Input channels read, first one (several when the conv is grouped), then the kernel size. */
    firstChannel: number;
    channels: number;
    height: number;
    width: number;
    /** channels × height × width weights, channel-major (the heat grid). */
    values: number[];
    /** [vertical, horizontal] step, and the zero padding before the first [row, column]. */
    stride: [number, number];
    padding: [number, number];
  };
  /** For each input i, the kernel position (channel relative to `firstChannel`, row, col) it meets. */
  taps: Cell[];
  /** The patch under the kernel, same layout as `kernel.values`; null where the kernel hangs over the padding. */
  patch: (number | null)[];
}

/** A weighted sum over every unit of the previous layer: `value = Σ inputs.values · weights + bias`. */
export interface DenseExplanation extends Base<'dense'> {
  weights: number[];
  bias: number;
  /** Σ inputs.values · weights + bias, recomputed in double precision (≈ value). */
  sum: number;
  /** The largest contributions |weight × input|, largest first (`explain` options: `top`, default 10). */
  top: Contribution[];
  /** Σ of the other contributions (signed), so `Σ top.product + rest + bias = sum`. */
  rest: number;
}

export interface Contribution {
  /** Position in `inputs.indices` / `values` / `weights`. */
  input: number;
  /** Flat index in the input layer. */
  index: number;
  value: number;
  weight: number;
  /** value × weight, signed. */
  product: number;
}

/** A window of one channel reduced to one number: its maximum, or its mean. */
export interface PoolExplanation extends Base<'maxpool' | 'avgpool' | 'globalmaxpool' | 'globalavgpool'> {
  /** The window's size, its [vertical, horizontal] step and the padding before its first [row, column]. */
  window: { height: number; width: number; stride: [number, number]; padding: [number, number] };
  /** Max pooling: position in `inputs` of the winner (the first, on ties). */
  winner?: number;
  /** Average pooling: what the sum is divided by (the window's positions on the map, or all of them
   * with `countIncludePad`); `weights` are 1/count each, so `value = Σ values · weights`. */
  count?: number;
}

/** An element-wise function of one number `z` of the previous layer. */
export interface ActivationExplanation extends Base<'relu' | 'leakyrelu' | 'sigmoid' | 'tanh'> {
  /** The input number. */
  z: number;
  /** LeakyReLU's slope for negative inputs. */
  alpha?: number;
}

/** Batch normalisation folded into one multiply-add: `value = z · weights[0] + bias`. */
export interface BatchNormExplanation extends Base<'batchnorm'> {
  z: number;
  weights: number[];
  bias: number;
  /** The learnt tensors' entries for this channel: y = gamma · (z − mean) / √(variance + epsilon) + beta. */
  gamma: number;
  beta: number;
  mean: number;
  variance: number;
  epsilon: number;
}

/** One class's probability: `e^z / Σ_j e^z_j` over the previous layer (the raw class scores). */
export interface SoftmaxExplanation extends Base<'softmax'> {
  z: number;
  /** e^(z − shift) and Σ_j e^(z_j − shift); `shift` is 0 unless the scores are too large for e^z. */
  exp: number;
  sumExp: number;
  shift: number;
}

/** Log-softmax: log of one class's probability, z − log Σ e^z over the raw class scores. */
export interface LogSoftmaxExplanation extends Base<'logsoftmax'> {
  z: number;
  /** log Σ_j e^z_j (computed stably). */
  logSumExp: number;
}

/** The same number, re-addressed: a map position becomes a vector position. */
export interface FlattenExplanation extends Base<'flatten'> {
  z: number;
  /** The order the map is read in: channel-major (`chw`, ONNX's) or channels-last (`hwc`, Keras'). */
  order: 'chw' | 'hwc';
}

export type Explanation =
  | InputExplanation
  | ConvExplanation
  | DenseExplanation
  | PoolExplanation
  | ActivationExplanation
  | BatchNormExplanation
  | SoftmaxExplanation
  | LogSoftmaxExplanation
  | FlattenExplanation;

export type Operation = Explanation['operation'];

export interface ExplainOptions {
  /** How many of a dense unit's largest contributions to list in `top`. Default 10. */
  top?: number;
}
