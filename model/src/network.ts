/**
 * A network built from the layer list: parameter layout, per-layer buffers, forward pass that keeps
 * every activation (the visualizer shows them all), and backward pass for softmax cross-entropy.
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
  convBackward,
  convForward,
  denseBackward,
  denseForward,
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

/** He-uniform weights (fan-in), zero biases: the usual start for ReLU networks. */
export function initParams(layout: ParamLayout, params: Float64Array, rng: Rng): void {
  for (const t of layout.tensors) {
    if (t.name.endsWith('.bias')) {
      params.fill(0, t.offset, t.offset + t.size);
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
  padded?: Vec; // padded input (conv)
  col?: Vec; // im2col of the padded input, [window][position] (conv)
  colT?: Vec; // the same, [position][window] (conv)
  gColT?: Vec; // gradient w.r.t. colT (conv)
  gPadded?: Vec; // gradient w.r.t. padded input (conv)
  argmax?: Int32Array; // (maxpool)
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
      } else if (layer.kind === 'maxpool') {
        step.pool = {
          c: inShape[0],
          inH: inShape[1],
          inW: inShape[2],
          outH: layer.shape[1],
          outW: layer.shape[2],
          k: layer.kernel,
          stride: layer.stride,
        };
        step.argmax = new Int32Array(step.size);
      }
      this.steps.push(step);
    }
    const last = layers[layers.length - 1];
    if (last.kind !== 'softmax') throw new Error('the last layer must be a softmax');
  }

  /** Runs the network on one input (already normalised); returns the probabilities. */
  forward(input: ArrayLike<number>): Vec {
    this.acts[0].set(input);
    const acts = this.acts;
    const params = this.params;
    for (let s = 0; s < this.steps.length; s++) {
      const st = this.steps[s];
      const x = acts[st.from];
      const y = acts[s + 1];
      switch (st.layer.kind) {
        case 'conv': {
          const g = st.conv!;
          if (g.pad > 0) padInto(x, st.padded!, g.inC, g.inH, g.inW, g.pad);
          else st.padded!.set(x);
          im2col(st.padded!, st.col!, st.colT!, g);
          convForward(st.colT!, params, st.wOff, st.bOff, y, g);
          break;
        }
        case 'relu':
          reluForward(x, y, st.size);
          break;
        case 'maxpool':
          maxPoolForward(x, y, st.argmax!, st.pool!);
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
    return acts[acts.length - 1];
  }

  /**
   * After `forward`, accumulates the gradient of the cross-entropy loss for `label` into `grads`
   * (same layout as params). Returns the loss.
   */
  backward(label: number, grads: Float64Array): number {
    const acts = this.acts;
    const n = this.steps.length;
    const probs = acts[n];
    const loss = -Math.log(Math.max(probs[label], 1e-12));
    // softmax + cross-entropy: d loss / d logits = p − onehot; written as the gradient of the softmax input
    const last = this.steps[n - 1];
    const gLogits = this.grads[last.from];
    for (let i = 0; i < last.size; i++) gLogits[i] = probs[i] - (i === label ? 1 : 0);
    for (let s = n - 2; s >= 0; s--) {
      const st = this.steps[s];
      const x = acts[st.from];
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
        case 'relu':
          if (gIn) reluBackward(x, gOut, gIn, st.size);
          break;
        case 'maxpool':
          if (gIn) maxPoolBackward(gOut, st.argmax!, gIn, st.inSize, st.size);
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
    return loss;
  }
}

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
