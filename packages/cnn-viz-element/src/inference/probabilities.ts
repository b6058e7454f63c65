import type { LayerKind, ModelDescription } from '../model/description.js';

/**
 * The class probabilities a model's last layer stands for: the layer itself after a Softmax, a
 * softmax of it when the graph ends in logits, `exp` of it after a LogSoftmax (see
 * `ModelDescription.scores`). A new array unless the layer already holds probabilities. DOM-free.
 */
export function toProbabilities(last: Float32Array, scores: ModelDescription['scores']): Float32Array {
  if (!scores || scores === 'probabilities') return last;
  if (scores === 'log-probabilities') return last.map(Math.exp);
  let max = -Infinity;
  for (const z of last) max = Math.max(max, z);
  const e = last.map((z) => Math.exp(z - max)); // shifted: no overflow for large logits
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** What a last layer of this kind gives, when the description does not say (`scores`). */
export function scoresOf(kind: LayerKind): NonNullable<ModelDescription['scores']> {
  if (kind === 'softmax') return 'probabilities';
  return kind === 'logsoftmax' ? 'log-probabilities' : 'logits';
}
