/**
 * Explanations as short sentences with the real numbers (3 significant digits): `formula(e)` is the
 * arithmetic ("Σ patch × kernel + bias = 1.23 + (−0.0512) = 1.18"), `describe(e)` adds where the
 * number sits, for a live region. DOM-free.
 */
import { formatNumber as f } from './format.js';
import type { Cell, Explanation } from './types.js';

/** A term inside a sum: negative numbers in parentheses. */
const term = (v: number) => (v < 0 ? `(${f(v)})` : f(v));

/** Where a number sits: "channel 3, row 5, column 7", "unit 12", or "class 7" in the output layers. */
export function place(cell: Cell, label?: string): string {
  if (label !== undefined) return `class ${label}`;
  return cell.row < 0 ? `unit ${cell.col}` : `channel ${cell.channel}, row ${cell.row}, column ${cell.col}`;
}

/** A probability: 4 digits, more when it would round to a misleading 0 or 1. */
const prob = (p: number) => {
  const s = f(p, 4);
  return (s === '1' && p < 1) || (s === '0' && p > 0) ? f(p, 7) : s;
};

/** The arithmetic behind the number, with this drawing's values. */
export function formula(e: Explanation): string {
  switch (e.operation) {
    case 'input': {
      const p = e.inverted ? `(255 − ${e.ink})` : `${e.ink}`;
      return `ink ${e.ink} of 255 → (${p}/255 − ${f(e.normalization.mean, 4)}) / ${f(e.normalization.std, 4)} = ${f(e.value)}`;
    }
    case 'conv':
      return `Σ patch × kernel + bias = ${f(e.sum - e.bias)} + ${term(e.bias)} = ${f(e.value)} (${e.weights.length} products)`;
    case 'dense': {
      const best = e.top[0];
      const lead = best ? `; largest: ${term(best.value)} × ${term(best.weight)} = ${f(best.product)}` : '';
      return `Σ inputs × weights + bias = ${f(e.sum - e.bias)} + ${term(e.bias)} = ${f(e.value)} (${e.weights.length} products${lead})`;
    }
    case 'relu':
      return `max(0, ${f(e.z)}) = ${f(e.value)}`;
    case 'leakyrelu':
      return e.z >= 0
        ? `${f(e.z)} ≥ 0, kept: ${f(e.value)}`
        : `${f(e.alpha ?? 0.01)} × ${term(e.z)} = ${f(e.value)}`;
    case 'sigmoid':
      return `1 / (1 + e^${term(-e.z)}) = ${f(e.value)}`;
    case 'tanh':
      return `tanh(${f(e.z)}) = ${f(e.value)}`;
    case 'maxpool':
    case 'globalmaxpool': {
      const vs = e.inputs.values;
      return vs.length <= 9
        ? `max(${vs.map((v) => f(v)).join(', ')}) = ${f(e.value)}`
        : `max of ${vs.length} values = ${f(e.value)}`;
    }
    case 'avgpool':
    case 'globalavgpool':
      return `mean of ${e.count} values = ${f(e.value)}`;
    case 'batchnorm':
      return `${f(e.gamma)} × (${f(e.z)} − ${term(e.mean)}) / √(${f(e.variance)} + ε) + ${term(e.beta)} = ${f(e.value)}`;
    case 'softmax':
      return e.shift
        ? `e^(${f(e.z)} − ${f(e.shift)}) / Σ e^(z − ${f(e.shift)}) = ${f(e.exp)} / ${f(e.sumExp)} = ${prob(e.value)}`
        : `e^${term(e.z)} / Σ e^z = ${f(e.exp)} / ${f(e.sumExp)} = ${prob(e.value)}`;
    case 'logsoftmax':
      return `${f(e.z)} − log Σ e^z = ${f(e.z)} − ${term(e.logSumExp)} = ${f(e.value)}`;
    case 'flatten':
      return `${e.inputs.layer} ${place(e.inputs.cells[0])} = ${f(e.value)}, the same number in one row`;
  }
}

/** Where the number sits and how it was computed, in one line (for a live region). */
export function describe(e: Explanation): string {
  return `${e.layer}, ${place(e.cell, e.label)}: ${formula(e)}`;
}
