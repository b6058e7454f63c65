/** Softmax: one class's probability, e^z / Σ e^z over the raw class scores. */
import { base, sourceOf, type Context } from './context.js';
import { cellOf } from './position.js';
import type { SoftmaxExplanation } from './types.js';

export function explainSoftmax(ctx: Context): SoftmaxExplanation {
  const src = sourceOf(ctx);
  const indices = Array.from({ length: src.geometry.size }, (_, i) => i);
  const common = base(
    ctx,
    'softmax',
    indices,
    indices.map((i) => cellOf(src.geometry, i)),
  );
  const zs = common.inputs.values;
  const z = zs[ctx.index];
  // e^z itself while it fits comfortably in a double (the formula the reader knows), else shifted
  const max = Math.max(...zs);
  const shift = max > 600 ? max : 0;
  let sumExp = 0;
  for (const v of zs) sumExp += Math.exp(v - shift);
  return { ...common, z, exp: Math.exp(z - shift), sumExp, shift };
}
