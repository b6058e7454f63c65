/** Flatten: the same number, moved from a map position to a vector position. */
import { base, sourceOf, type Context } from './context.js';
import { cellOf } from './position.js';
import type { FlattenExplanation } from './types.js';

export function explainFlatten(ctx: Context): FlattenExplanation {
  const src = sourceOf(ctx);
  const common = base(ctx, 'flatten', [ctx.index], [cellOf(src.geometry, ctx.index)]);
  return { ...common, z: src.values[ctx.index] };
}
