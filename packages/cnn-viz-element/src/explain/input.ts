/** A pixel of the drawing: its ink 0–255 and the normalised number the network reads. */
import { base, type Context } from './context.js';
import type { InputExplanation } from './types.js';

export function explainInput(ctx: Context): InputExplanation {
  const norm = ctx.model.input.normalization;
  const c = ctx.cell.channel;
  // this channel's mean and std (RGB models normalise each channel on its own)
  const mean = norm.perChannel?.mean[c] ?? norm.mean;
  const std = norm.perChannel?.std[c] ?? norm.std;
  const inverted = ctx.model.input.ink === 'dark';
  const normalized = ctx.out[ctx.index];
  const p = Math.min(255, Math.max(0, Math.round((normalized * std + mean) / norm.scale)));
  return {
    ...base(ctx, 'input', [], []),
    ink: inverted ? 255 - p : p,
    normalized,
    normalization: { scale: norm.scale, mean, std },
    inverted,
  };
}
