/**
 * Batch normalisation of C×H×W maps (or [C] vectors: H·W = 1), per channel, over plain typed arrays.
 * Training normalises with the statistics of the whole batch, so a sample's output depends on the
 * other samples: the forward pass needs the batch's per-channel sums before it can normalise, and the
 * backward pass needs the batch's sums of the gradient. These functions compute one sample's share of
 * those sums and apply the batch's totals to one sample; `batch.ts` brings them together.
 *
 * With x̂ = (x − μ) / √(σ² + ε) and y = γ·x̂ + β, summed over the batch's N = samples × H × W values:
 * dL/dβ = Σ g, dL/dγ = Σ g·x̂, dL/dx = γ / (N·√(σ² + ε)) · (N·g − Σ g − x̂ · Σ g·x̂).
 */
import type { Vec } from './ops.ts';

/** Where a batch norm's tensors sit in the flat parameter array, and its geometry. */
export interface BatchNormGeometry {
  channels: number;
  /** Values per channel in one sample (H·W). */
  plane: number;
  scaleOff: number;
  biasOff: number;
  meanOff: number;
  varOff: number;
  epsilon: number;
  momentum: number;
}

/** Inference (ONNX BatchNormalization): y = γ · (x − running mean) / √(running var + ε) + β. */
export function batchNormInference(x: Vec, y: Vec, params: Vec, g: BatchNormGeometry): void {
  for (let c = 0; c < g.channels; c++) {
    const w = params[g.scaleOff + c] / Math.sqrt(params[g.varOff + c] + g.epsilon);
    const b = params[g.biasOff + c] - params[g.meanOff + c] * w;
    for (let p = c * g.plane, end = p + g.plane; p < end; p++) y[p] = x[p] * w + b;
  }
}

/** Adds one sample's Σx (into sums[c]) and Σx² (into sums[C + c]) per channel. */
export function addMomentSums(x: Vec, sums: Vec, g: BatchNormGeometry): void {
  for (let c = 0; c < g.channels; c++) {
    let s = 0;
    let s2 = 0;
    for (let p = c * g.plane, end = p + g.plane; p < end; p++) {
      s += x[p];
      s2 += x[p] * x[p];
    }
    sums[c] += s;
    sums[g.channels + c] += s2;
  }
}

/** The batch's per-channel mean and 1/√(variance + ε) (biased variance), from its sums over `count` values. */
export interface BatchMoments {
  mean: Float64Array;
  variance: Float64Array;
  invStd: Float64Array;
  count: number;
}

export function batchMoments(sums: Vec, count: number, g: BatchNormGeometry): BatchMoments {
  const mean = new Float64Array(g.channels);
  const variance = new Float64Array(g.channels);
  const invStd = new Float64Array(g.channels);
  for (let c = 0; c < g.channels; c++) {
    mean[c] = sums[c] / count;
    variance[c] = Math.max(0, sums[g.channels + c] / count - mean[c] * mean[c]);
    invStd[c] = 1 / Math.sqrt(variance[c] + g.epsilon);
  }
  return { mean, variance, invStd, count };
}

/** Moves the running averages towards the batch's moments (the variance unbiased: N / (N − 1)). */
export function updateRunningMoments(params: Vec, m: BatchMoments, g: BatchNormGeometry): void {
  const unbias = m.count > 1 ? m.count / (m.count - 1) : 1;
  for (let c = 0; c < g.channels; c++) {
    params[g.meanOff + c] += g.momentum * (m.mean[c] - params[g.meanOff + c]);
    params[g.varOff + c] += g.momentum * (m.variance[c] * unbias - params[g.varOff + c]);
  }
}

/** Training forward for one sample with the batch's moments; keeps x̂ for the backward pass. */
export function batchNormTrainForward(
  x: Vec,
  xhat: Vec,
  y: Vec,
  params: Vec,
  m: BatchMoments,
  g: BatchNormGeometry,
): void {
  for (let c = 0; c < g.channels; c++) {
    const mu = m.mean[c];
    const is = m.invStd[c];
    const gamma = params[g.scaleOff + c];
    const beta = params[g.biasOff + c];
    for (let p = c * g.plane, end = p + g.plane; p < end; p++) {
      const h = (x[p] - mu) * is;
      xhat[p] = h;
      y[p] = gamma * h + beta;
    }
  }
}

/** Adds one sample's Σg (into sums[c]) and Σg·x̂ (into sums[C + c]) per channel. */
export function addGradientSums(gOut: Vec, xhat: Vec, sums: Vec, g: BatchNormGeometry): void {
  for (let c = 0; c < g.channels; c++) {
    let s = 0;
    let sx = 0;
    for (let p = c * g.plane, end = p + g.plane; p < end; p++) {
      s += gOut[p];
      sx += gOut[p] * xhat[p];
    }
    sums[c] += s;
    sums[g.channels + c] += sx;
  }
}

/** dL/dx for one sample, from the batch's gradient sums (`sums` as `addGradientSums` makes them). */
export function batchNormTrainBackward(
  gOut: Vec,
  xhat: Vec,
  gIn: Vec,
  params: Vec,
  m: BatchMoments,
  sums: Vec,
  g: BatchNormGeometry,
): void {
  const n = m.count;
  for (let c = 0; c < g.channels; c++) {
    const k = (params[g.scaleOff + c] * m.invStd[c]) / n;
    const sg = sums[c];
    const sgx = sums[g.channels + c];
    for (let p = c * g.plane, end = p + g.plane; p < end; p++)
      gIn[p] = k * (n * gOut[p] - sg - xhat[p] * sgx);
  }
}
