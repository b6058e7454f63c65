/**
 * Flatten: the same number, moved from a map position to a vector position, read channel-major
 * (`chw`, ONNX's order) or channels-last (`hwc`: a Keras model's transpose, then flatten).
 */
import { base, sourceOf, type Context } from './context.js';
import { cellOf, indexOf } from './position.js';
import type { FlattenExplanation } from './types.js';

export function explainFlatten(ctx: Context): FlattenExplanation {
  const src = sourceOf(ctx);
  const order = ctx.layer.order ?? 'chw';
  let from = ctx.index;
  if (order === 'hwc' && src.geometry.isMap) {
    const C = src.geometry.channels;
    const c = ctx.index % C;
    const pos = Math.floor(ctx.index / C);
    from = indexOf(src.geometry, c, Math.floor(pos / src.geometry.width), pos % src.geometry.width);
  }
  const common = base(ctx, 'flatten', [from], [cellOf(src.geometry, from)]);
  return { ...common, z: src.values[from], order };
}
