/**
 * A dense (fully connected) unit: every unit of the layer before, times its weight, plus a bias:
 * `value = Σ inputs × weights + bias`, with the inputs that contributed most.
 */
import { base, sourceOf, type Context } from './context.js';
import { weightAndBias } from './params.js';
import { cellOf } from './position.js';
import type { Contribution, DenseExplanation } from './types.js';

export function explainDense(ctx: Context): DenseExplanation {
  const src = sourceOf(ctx);
  const { weight, bias } = weightAndBias(ctx.layer, ctx.weights);
  const n = src.geometry.size;
  const units = ctx.geometry.size;
  const [d0, d1] = weight.dims;
  // Gemm with transB = 1 (PyTorch's Linear, our exporter) stores [out, in]; MatMul stores [in, out]
  const outIn = ctx.layer.weightLayout ? ctx.layer.weightLayout === 'out-in' : d0 === units && d1 === n;
  if (weight.dims.length !== 2 || (outIn ? d0 !== units || d1 !== n : d0 !== n || d1 !== units))
    throw new Error(
      `dense ${ctx.layer.name}: weight [${weight.dims}] does not map ${n} inputs to ${units} units`,
    );
  const u = ctx.index;
  const indices = Array.from({ length: n }, (_, i) => i);
  const w = indices.map((i) => (outIn ? weight.data[u * n + i] : weight.data[i * units + u]));
  const common = base(
    ctx,
    'dense',
    indices,
    indices.map((i) => cellOf(src.geometry, i)),
  );
  const b = bias ? bias.data[u] : 0;
  const contributions: Contribution[] = indices.map((i) => {
    const value = common.inputs.values[i];
    return { input: i, index: i, value, weight: w[i], product: value * w[i] };
  });
  let sum = b;
  for (const c of contributions) sum += c.product;
  contributions.sort((a, z) => Math.abs(z.product) - Math.abs(a.product));
  const top = contributions.slice(0, Math.max(0, ctx.options.top ?? 10));
  let rest = sum - b;
  for (const c of top) rest -= c.product;
  return { ...common, weights: w, bias: b, sum, top, rest };
}
