/** Log-softmax: the log of one class's probability, z − log Σ e^z over the raw class scores. */
import { base, sourceOf, type Context } from './context.js';
import { cellOf } from './position.js';
import type { LogSoftmaxExplanation } from './types.js';

export function explainLogSoftmax(ctx: Context): LogSoftmaxExplanation {
  const src = sourceOf(ctx);
  const indices = Array.from({ length: src.geometry.size }, (_, i) => i);
  const common = base(
    ctx,
    'logsoftmax',
    indices,
    indices.map((i) => cellOf(src.geometry, i)),
  );
  const zs = common.inputs.values;
  const max = Math.max(...zs);
  let sum = 0;
  for (const v of zs) sum += Math.exp(v - max);
  return { ...common, z: zs[ctx.index], logSumExp: max + Math.log(sum) };
}
