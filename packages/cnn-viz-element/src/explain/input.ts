/** A pixel of the drawing: its ink 0–255 and the normalised number the network reads. */
import { base, type Context } from './context.js';
import type { InputExplanation } from './types.js';

export function explainInput(ctx: Context): InputExplanation {
  const normalization = ctx.model.input.normalization;
  const { scale, mean, std } = normalization;
  const normalized = ctx.out[ctx.index];
  const ink = Math.min(255, Math.max(0, Math.round((normalized * std + mean) / scale)));
  return { ...base(ctx, 'input', [], []), ink, normalized, normalization };
}
