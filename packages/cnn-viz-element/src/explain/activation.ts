/** Element-wise activations of one number z of the layer before: ReLU, LeakyReLU, sigmoid, tanh. */
import { base, sourceOf, type Context } from './context.js';
import type { ActivationExplanation } from './types.js';

export function explainActivation(ctx: Context): ActivationExplanation {
  const src = sourceOf(ctx);
  const kind = ctx.layer.kind as ActivationExplanation['operation'];
  const common = base(ctx, kind, [ctx.index], [ctx.cell]);
  const z = src.values[ctx.index];
  if (kind !== 'leakyrelu') return { ...common, z };
  // ONNX LeakyRelu's default slope is 0.01
  const alpha = (ctx.layer as { alpha?: number }).alpha ?? 0.01;
  return { ...common, z, alpha };
}
