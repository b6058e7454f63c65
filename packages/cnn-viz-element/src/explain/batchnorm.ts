/**
 * Batch normalisation of one number z, folded into one multiply-add per channel:
 * y = gamma · (z − mean) / √(variance + ε) + beta = z · w + b.
 */
import { base, sourceOf, type Context } from './context.js';
import { batchNormTensors } from './params.js';
import type { BatchNormExplanation } from './types.js';

export function explainBatchNorm(ctx: Context): BatchNormExplanation {
  const src = sourceOf(ctx);
  const t = batchNormTensors(ctx.layer, ctx.weights);
  const c = ctx.geometry.isMap ? ctx.cell.channel : ctx.index;
  const gamma = t.gamma.data[c];
  const beta = t.beta.data[c];
  const mean = t.mean.data[c];
  const variance = t.variance.data[c];
  // ONNX BatchNormalization's default epsilon
  const epsilon = (ctx.layer as { epsilon?: number }).epsilon ?? 1e-5;
  const w = gamma / Math.sqrt(variance + epsilon);
  const common = base(ctx, 'batchnorm', [ctx.index], [ctx.cell]);
  return {
    ...common,
    z: src.values[ctx.index],
    weights: [w],
    bias: beta - mean * w,
    gamma,
    beta,
    mean,
    variance,
    epsilon,
  };
}
