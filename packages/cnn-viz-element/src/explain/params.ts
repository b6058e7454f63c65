/**
 * Finds a layer's learnt tensors among the model's weights, by the names its description lists
 * (`LayerDescription.params`, the ONNX initializer names). DOM-free.
 */
import type { LayerDescription } from '../model/description.js';
import type { Tensor, Weights } from '../model/tensor.js';

function named(layer: LayerDescription, weights: Weights): { name: string; tensor: Tensor }[] {
  const names = Object.keys(layer.params ?? {});
  if (!names.length)
    throw new Error(`layer ${layer.name} lists no learnt tensors (params) to explain it with`);
  return names.map((name) => {
    const tensor = weights.get(name);
    if (!tensor) throw new Error(`the model's weights have no tensor "${name}" (layer ${layer.name})`);
    return { name, tensor };
  });
}

/** A tensor by the role the description gives it (`tensors`), if it does. */
function byRole(
  layer: LayerDescription,
  weights: Weights,
  role: 'weight' | 'bias' | 'scale' | 'mean' | 'variance',
): Tensor | undefined {
  const name = layer.tensors?.[role];
  if (name === undefined) return undefined;
  const tensor = weights.get(name);
  if (!tensor)
    throw new Error(`the model's weights have no tensor "${name}" (layer ${layer.name}'s ${role})`);
  return tensor;
}

/**
 * A conv or dense layer's weight and bias: by their roles in `tensors`, else the tensor of rank ≥ 2
 * and the one of rank 1 (no bias: zeros).
 */
export function weightAndBias(layer: LayerDescription, weights: Weights): { weight: Tensor; bias?: Tensor } {
  const w = byRole(layer, weights, 'weight');
  if (w) return { weight: w, bias: byRole(layer, weights, 'bias') };
  const tensors = named(layer, weights);
  const weight = tensors.find((t) => t.tensor.dims.length >= 2)?.tensor;
  if (!weight)
    throw new Error(`layer ${layer.name} has no weight tensor among ${tensors.map((t) => t.name)}`);
  const bias = tensors.find((t) => t.tensor.dims.length === 1)?.tensor;
  return { weight, bias };
}

/**
 * Batch normalisation's four tensors: by their roles in `tensors`, else by name (scale/gamma/weight,
 * B/beta/bias, mean, var), else in ONNX's input order: scale, B, mean, var.
 */
export function batchNormTensors(
  layer: LayerDescription,
  weights: Weights,
): { gamma: Tensor; beta: Tensor; mean: Tensor; variance: Tensor } {
  const gamma = byRole(layer, weights, 'scale');
  const beta = byRole(layer, weights, 'bias');
  const mean = byRole(layer, weights, 'mean');
  const variance = byRole(layer, weights, 'variance');
  if (gamma && beta && mean && variance) return { gamma, beta, mean, variance };
  const tensors = named(layer, weights);
  if (tensors.length < 4)
    throw new Error(`batch normalisation ${layer.name} needs 4 tensors, lists ${tensors.length}`);
  const find = (re: RegExp, fallback: number) =>
    (tensors.find((t) => re.test(t.name.split(/[./:]/).pop() ?? t.name)) ?? tensors[fallback]).tensor;
  return {
    gamma: find(/^(scale|gamma|weight)$/i, 0),
    beta: find(/^(b|beta|bias)$/i, 1),
    mean: find(/mean/i, 2),
    variance: find(/var/i, 3),
  };
}
