import { argmax } from '../model/argmax.js';
import type { LayerDescription, ModelDescription } from '../model/description.js';
import type { Activations } from './activations.js';
import { scoresOf, toProbabilities } from './probabilities.js';

/**
 * Builds `Activations` from the model's layer list and one Float32Array per non-input layer (in the
 * list's order), plus the normalised input. Shared by every backend so they all answer alike.
 * `probabilities` are the last layer's, as a softmax of it when it holds logits (see
 * `ModelDescription.scores`; without it, told by the last layer's kind).
 */
export function assembleActivations(
  layers: readonly LayerDescription[],
  input: Float32Array,
  outputs: readonly Float32Array[],
  scores?: ModelDescription['scores'],
): Activations {
  const rest = layers.slice(1);
  if (outputs.length !== rest.length)
    throw new Error(`the model returned ${outputs.length} layers, its description lists ${rest.length}`);
  const result = [
    { name: layers[0].name, kind: layers[0].kind, shape: layers[0].shape, data: input },
    ...rest.map((l, i) => ({ name: l.name, kind: l.kind, shape: l.shape, data: outputs[i] })),
  ];
  const last = result[result.length - 1];
  const probabilities = toProbabilities(last.data, scores ?? scoresOf(last.kind));
  return { layers: result, probabilities, prediction: argmax(probabilities) };
}
