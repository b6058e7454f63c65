/** Central differences against the analytic gradient, for a sample of each parameter tensor's entries. */
import assert from 'node:assert/strict';
import type { ParamLayout } from '../../src/network.ts';
import type { Rng } from '../../src/random.ts';

/**
 * For up to 12 entries of every tensor (all of a tensor that small), compares (loss(p + ε) − loss(p − ε)) / 2ε
 * with `grads`; fails naming the tensor when the relative error reaches 1e-4.
 */
export function assertGradients(
  layout: ParamLayout,
  params: Float64Array,
  grads: Float64Array,
  loss: () => number,
  rng: Rng,
): void {
  const eps = 1e-5;
  for (const t of layout.tensors) {
    let worst = 0;
    for (let k = 0; k < Math.min(12, t.size); k++) {
      const i = t.offset + (t.size <= 12 ? k : Math.floor(rng() * t.size));
      const saved = params[i];
      params[i] = saved + eps;
      const up = loss();
      params[i] = saved - eps;
      const down = loss();
      params[i] = saved;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - grads[i]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(grads[i]));
      worst = Math.max(worst, err);
    }
    assert.ok(worst < 1e-4, `${t.name}: relative gradient error ${worst.toExponential(2)}`);
  }
}
