/**
 * `explain(model, weights, activations, layer, index)`: how one number of one layer was computed,
 * with this drawing's values and the model's own weights. DOM-free; the element's `explain()`
 * method and its explanation panel call this.
 */
import type { Activations } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import type { Weights } from '../model/tensor.js';
import { explainActivation } from './activation.js';
import { explainBatchNorm } from './batchnorm.js';
import type { Context } from './context.js';
import { explainConv } from './conv.js';
import { explainDense } from './dense.js';
import { inputField } from './field.js';
import { explainFlatten } from './flatten.js';
import { explainInput } from './input.js';
import { explainLogSoftmax } from './logsoftmax.js';
import { explainPool } from './pool.js';
import { cellOf, geometryOf } from './position.js';
import { explainSoftmax } from './softmax.js';
import type { ExplainOptions, Explanation } from './types.js';

const EXPLAINERS: Record<string, (ctx: Context) => Explanation> = {
  input: explainInput,
  conv: explainConv,
  dense: explainDense,
  maxpool: explainPool,
  avgpool: explainPool,
  globalmaxpool: explainPool,
  globalavgpool: explainPool,
  relu: explainActivation,
  leakyrelu: explainActivation,
  sigmoid: explainActivation,
  tanh: explainActivation,
  batchnorm: explainBatchNorm,
  softmax: explainSoftmax,
  logsoftmax: explainLogSoftmax,
  flatten: explainFlatten,
};

/** Layer kinds `explain` knows (what the renderer can draw, this can explain). */
export const EXPLAINED_KINDS: readonly string[] = Object.keys(EXPLAINERS);

/**
 * Explains number `index` (flat, channel-major) of layer `layer` for the drawing whose activations
 * are given. Throws a RangeError for an unknown layer or an index outside it, and an Error when the
 * layer's kind is not supported or its weights are missing.
 */
export function explain(
  model: ModelDescription,
  weights: Weights,
  activations: Activations,
  layer: string,
  index: number,
  options: ExplainOptions = {},
): Explanation {
  const at = model.layers.findIndex((l) => l.name === layer);
  if (at < 0) throw new RangeError(`no layer named "${layer}"`);
  const desc = model.layers[at];
  const values = valuesOf(activations, layer, at);
  const geometry = geometryOf(desc.shape);
  if (!Number.isInteger(index) || index < 0 || index >= geometry.size)
    throw new RangeError(`layer ${layer} has ${geometry.size} numbers; there is no number ${index}`);
  const explainer = EXPLAINERS[desc.kind];
  if (!explainer) throw new Error(`layers of kind "${desc.kind}" cannot be explained yet`);
  let source: Context['source'];
  if (desc.from !== undefined) {
    const from = model.layers.findIndex((l) => l.name === desc.from);
    if (from < 0) throw new Error(`layer ${layer} reads ${desc.from}, which the model does not list`);
    const s = model.layers[from];
    source = { layer: s, values: valuesOf(activations, s.name, from), geometry: geometryOf(s.shape) };
  }
  const explanation = explainer({
    model,
    weights,
    layer: desc,
    out: values,
    geometry,
    index,
    cell: cellOf(geometry, index),
    field: inputField(model, layer, index),
    source,
    options,
  });
  const last = model.layers[model.layers.length - 1];
  const classLayer =
    desc === last || (last.from === desc.name && geometry.size === geometryOf(last.shape).size);
  if (classLayer && model.classes?.length === geometry.size) explanation.label = model.classes[index];
  return explanation;
}

function valuesOf(activations: Activations, name: string, at: number): Float32Array {
  const byIndex = activations.layers[at];
  const l = byIndex?.name === name ? byIndex : activations.layers.find((x) => x.name === name);
  if (!l) throw new Error(`the activations have no layer named "${name}"`);
  return l.data;
}
