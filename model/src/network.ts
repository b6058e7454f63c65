/**
 * A network built from the layer list: parameter layout, per-layer buffers, forward pass that keeps
 * every activation (the visualizer shows them all), and backward pass for softmax cross-entropy.
 * One instance holds one sample. A network with batch normalisation trains a batch at a time
 * (`batch.ts` runs one instance per sample, layer by layer); `forward` alone is inference.
 *
 * All parameters live in one Float64Array (so workers can share it and the optimizer is one loop);
 * `tensors` says where each ONNX initializer sits in it.
 */
import {
  elementCount,
  paramShapes,
  resolveLayers,
  type LayerSpec,
  type ResolvedLayer,
} from './architecture.ts';
import {
  addGradientSums,
  addMomentSums,
  batchNormInference,
  batchNormTrainBackward,
  batchNormTrainForward,
  type BatchMoments,
  type BatchNormGeometry,
} from './batch-norm.ts';
import {
  avgPoolBackward,
  avgPoolForward,
  convBackward,
  convForward,
  denseBackward,
  denseForward,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  im2col,
  maxPoolBackward,
  maxPoolForward,
  padInto,
  reluBackward,
  reluForward,
  softmaxForward,
  unpadInto,
  type ConvGeometry,
  type PoolGeometry,
  type Vec,
} from './ops.ts';
import type { Rng } from './random.ts';

export interface TensorSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** Where a network's parameters are, independent of any buffers (cheap; shared by all workers). */
export interface ParamLayout {
  layers: ResolvedLayer[];
  tensors: TensorSlot[];
  size: number;
}

export function paramLayout(spec: readonly LayerSpec[]): ParamLayout {
  const layers = resolveLayers(spec);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const tensors: TensorSlot[] = [];
  let offset = 0;
  for (const layer of layers) {
    if (layer.kind === 'input') continue;
    for (const t of paramShapes(layer, byName.get(layer.from)!.shape)) {
      const size = elementCount(t.shape);
      tensors.push({ ...t, offset, size });
      offset += size;
    }
  }
  return { layers, tensors, size: offset };
}

/**
 * He-uniform weights (fan-in), zero biases: the usual start for ReLU networks. A batch norm starts
 * as the identity: scale 1, bias 0, running mean 0 and variance 1.
 */
export function initParams(layout: ParamLayout, params: Float64Array, rng: Rng): void {
  for (const t of layout.tensors) {
    const constant = /\.(bias|mean)$/.test(t.name) ? 0 : /\.(scale|var)$/.test(t.name) ? 1 : undefined;
    if (constant !== undefined) {
      params.fill(constant, t.offset, t.offset + t.size);
      continue;
    }
    const fanIn = t.size / t.shape[0];
    const limit = Math.sqrt(6 / fanIn);
    for (let i = 0; i < t.size; i++) params[t.offset + i] = (rng() * 2 - 1) * limit;
  }
}

interface Step {
  layer: ResolvedLayer;
  from: number; // index into `acts` of the input
  size: number;
  inSize: number;
  wOff: number;
  bOff: number;
  conv?: ConvGeometry;
  pool?: PoolGeometry;
  bn?: BatchNormGeometry;
  padded?: Vec; // padded input (conv)
  col?: Vec; // im2col of the padded input, [window][position] (conv)
  colT?: Vec; // the same, [position][window] (conv)
  gColT?: Vec; // gradient w.r.t. colT (conv)
  gPadded?: Vec; // gradient w.r.t. padded input (conv)
  argmax?: Int32Array; // (maxpool)
  xhat?: Vec; // the normalised input of the last training forward (batchnorm)
}

/** A batch's statistics for one batch norm layer: its moments, and in the backward pass its gradient sums. */
export interface BatchNormContext {
  moments: BatchMoments;
  /** Σg per channel, then Σg·x̂ per channel, over the whole batch (backward only). */
  gradientSums?: Vec;
}

export class Network {
  readonly layout: ParamLayout;
  /** Every layer's output for the last forward pass, indexed like `layout.layers`. */
  readonly acts: Vec[];
  private readonly grads: Vec[];
  private readonly steps: Step[] = [];

  constructor(
    layout: ParamLayout,
    /** Parameters (read). */
    public params: Float64Array,
  ) {
    this.layout = layout;
    const layers = layout.layers;
    const index = new Map(layers.map((l, i) => [l.name, i]));
    this.acts = layers.map((l) => new Float64Array(elementCount(l.shape)));
    this.grads = layers.map((l) => new Float64Array(elementCount(l.shape)));
    const slot = new Map(layout.tensors.map((t) => [t.name, t.offset]));
    for (const layer of layers) {
      if (layer.kind === 'input') continue;
      const from = index.get(layer.from)!;
      const inShape = layers[from].shape;
      const step: Step = {
        layer,
        from,
        size: elementCount(layer.shape),
        inSize: elementCount(inShape),
        wOff: slot.get(`${layer.name}.weight`) ?? -1,
        bOff: slot.get(`${layer.name}.bias`) ?? -1,
      };
      if (layer.kind === 'conv') {
        const [inC, inH, inW] = inShape;
        const p = layer.padding;
        step.conv = {
          inC,
          inH,
          inW,
          outC: layer.shape[0],
          outH: layer.shape[1],
          outW: layer.shape[2],
          k: layer.kernel,
          stride: layer.stride,
          pad: p,
        };
        step.padded = new Float64Array(inC * (inH + 2 * p) * (inW + 2 * p));
        step.gPadded = new Float64Array(step.padded.length);
        step.col = new Float64Array(inC * layer.kernel * layer.kernel * layer.shape[1] * layer.shape[2]);
        step.colT = new Float64Array(step.col.length);
        step.gColT = new Float64Array(step.col.length);
      } else if (layer.kind === 'maxpool' || layer.kind === 'avgpool') {
        step.pool = {
          c: inShape[0],
          inH: inShape[1],
          inW: inShape[2],
          outH: layer.shape[1],
          outW: layer.shape[2],
          k: layer.kernel,
          stride: layer.stride,
        };
        if (layer.kind === 'maxpool') step.argmax = new Int32Array(step.size);
      } else if (layer.kind === 'batchnorm') {
        const at = (t: string) => slot.get(`${layer.name}.${t}`)!;
        step.bn = {
          channels: inShape[0],
          plane: step.size / inShape[0],
          scaleOff: at('scale'),
          biasOff: at('bias'),
          meanOff: at('mean'),
          varOff: at('var'),
          epsilon: layer.epsilon,
          momentum: layer.momentum,
        };
        step.xhat = new Float64Array(step.size);
      }
      this.steps.push(step);
    }
    const last = layers[layers.length - 1];
    if (last.kind !== 'softmax') throw new Error('the last layer must be a softmax');
  }

  /** Number of computing steps: every layer but the input; step s writes `acts[s + 1]`. */
  get stepCount(): number {
    return this.steps.length;
  }

  /** The batch norm geometry of step s, or undefined when step s is not a batch norm. */
  batchNormAt(s: number): BatchNormGeometry | undefined {
    return this.steps[s].bn;
  }

  /** Whether a forward pass of this network depends on the other samples of a batch in training. */
  get needsBatch(): boolean {
    return this.steps.some((st) => st.bn);
  }

  /** Runs the network on one input (already normalised) for inference; returns the probabilities. */
  forward(input: ArrayLike<number>): Vec {
    this.acts[0].set(input);
    for (let s = 0; s < this.steps.length; s++) this.forwardStep(s);
    return this.acts[this.acts.length - 1];
  }

  /**
   * Computes step s from the activations before it. A batch norm normalises with `bn`'s batch
   * moments when given (training), else with the running averages (inference).
   */
  forwardStep(s: number, bn?: BatchNormContext): void {
    const st = this.steps[s];
    const params = this.params;
    const x = this.acts[st.from];
    const y = this.acts[s + 1];
    switch (st.layer.kind) {
      case 'conv': {
        const g = st.conv!;
        if (g.pad > 0) padInto(x, st.padded!, g.inC, g.inH, g.inW, g.pad);
        else st.padded!.set(x);
        im2col(st.padded!, st.col!, st.colT!, g);
        convForward(st.colT!, params, st.wOff, st.bOff, y, g);
        break;
      }
      case 'batchnorm':
        if (bn) batchNormTrainForward(x, st.xhat!, y, params, bn.moments, st.bn!);
        else batchNormInference(x, y, params, st.bn!);
        break;
      case 'relu':
        reluForward(x, y, st.size);
        break;
      case 'maxpool':
        maxPoolForward(x, y, st.argmax!, st.pool!);
        break;
      case 'avgpool':
        avgPoolForward(x, y, st.pool!);
        break;
      case 'globalavgpool':
        globalAvgPoolForward(x, y, st.layer.shape[0], st.inSize / st.layer.shape[0]);
        break;
      case 'flatten':
        y.set(x);
        break;
      case 'dense':
        denseForward(x, params, st.wOff, st.bOff, y, st.inSize, st.size);
        break;
      case 'softmax':
        softmaxForward(x, y, st.size);
        break;
    }
  }

  /** Adds this sample's share of step s's batch norm sums: moments of its input, or (backward) of its gradient. */
  addBatchNormSums(s: number, sums: Vec, of: 'moments' | 'gradient'): void {
    const st = this.steps[s];
    if (of === 'moments') addMomentSums(this.acts[st.from], sums, st.bn!);
    else addGradientSums(this.grads[s + 1], st.xhat!, sums, st.bn!);
  }

  /**
   * After `forward`, starts the backward pass: writes d loss / d logits (softmax + cross-entropy:
   * p − onehot) as the gradient of the last step's input. Returns the loss.
   */
  lossGradient(label: number): number {
    const n = this.steps.length;
    const probs = this.acts[n];
    const last = this.steps[n - 1];
    const gLogits = this.grads[last.from];
    for (let i = 0; i < last.size; i++) gLogits[i] = probs[i] - (i === label ? 1 : 0);
    return -Math.log(Math.max(probs[label], 1e-12));
  }

  /**
   * Step s's backward pass: accumulates its parameters' gradients into `grads` and writes the gradient
   * of its input. A batch norm in training needs the batch's context with its gradient sums, and
   * accumulates its scale's and bias's gradients from this sample alone.
   */
  backwardStep(s: number, grads: Float64Array, bn?: BatchNormContext): void {
    const st = this.steps[s];
    const x = this.acts[st.from];
    const gOut = this.grads[s + 1];
    // the first layer's input gradient is never needed
    const gIn = st.from === 0 ? null : this.grads[st.from];
    switch (st.layer.kind) {
      case 'conv': {
        const g = st.conv!;
        const gPad = gIn ? st.gPadded! : null;
        convBackward(st.col!, this.params, grads, st.wOff, st.bOff, gOut, st.gColT!, gPad, g);
        if (gIn) {
          if (g.pad > 0) unpadInto(st.gPadded!, gIn, g.inC, g.inH, g.inW, g.pad);
          else gIn.set(st.gPadded!);
        }
        break;
      }
      case 'batchnorm': {
        if (!bn?.gradientSums)
          throw new Error(`${st.layer.name}: batch norm trains only with its batch's sums`);
        const g = st.bn!;
        const own = new Float64Array(2 * g.channels);
        addGradientSums(gOut, st.xhat!, own, g);
        for (let c = 0; c < g.channels; c++) {
          grads[g.biasOff + c] += own[c];
          grads[g.scaleOff + c] += own[g.channels + c];
        }
        if (gIn) batchNormTrainBackward(gOut, st.xhat!, gIn, this.params, bn.moments, bn.gradientSums, g);
        break;
      }
      case 'relu':
        if (gIn) reluBackward(x, gOut, gIn, st.size);
        break;
      case 'maxpool':
        if (gIn) maxPoolBackward(gOut, st.argmax!, gIn, st.inSize, st.size);
        break;
      case 'avgpool':
        if (gIn) avgPoolBackward(gOut, gIn, st.pool!);
        break;
      case 'globalavgpool':
        if (gIn) globalAvgPoolBackward(gOut, gIn, st.layer.shape[0], st.inSize / st.layer.shape[0]);
        break;
      case 'flatten':
        if (gIn) gIn.set(gOut);
        break;
      case 'dense':
        denseBackward(x, this.params, grads, st.wOff, st.bOff, gOut, gIn, st.inSize, st.size);
        break;
      case 'softmax':
        throw new Error('softmax is only supported as the last layer');
    }
  }

  /**
   * After `forward`, accumulates the gradient of the cross-entropy loss for `label` into `grads`
   * (same layout as params). Returns the loss. Only for networks without batch norm (which need
   * their batch: see `batch.ts`).
   */
  backward(label: number, grads: Float64Array): number {
    if (this.needsBatch) throw new Error('a network with batch normalisation trains a batch at a time');
    const loss = this.lossGradient(label);
    for (let s = this.steps.length - 2; s >= 0; s--) this.backwardStep(s, grads);
    return loss;
  }
}

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
