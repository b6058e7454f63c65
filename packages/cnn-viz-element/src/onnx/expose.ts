/**
 * The model rewritten in memory so that every drawn layer's tensor is a graph output: one
 * `session.run` then returns all the activations the view shows. DOM-free.
 */
import type { ModelDescription } from '../model/description.js';
import type { OnnxModel, OnnxValueInfo } from './proto.js';

const FLOAT = 1;

/**
 * A copy of `model` whose graph outputs are its own plus each layer of `description` (but the input)
 * not already among them, declared float32 of shape [batch, ...layer.shape] with the batch symbolic
 * (`N`) or 1 as the input's. The original is not modified; weights are shared, not copied.
 */
export function exposeLayers(model: OnnxModel, description: ModelDescription): OnnxModel {
  const graph = model.graph ?? {};
  const outputs: OnnxValueInfo[] = [...(graph.output ?? [])];
  const have = new Set(outputs.map((o) => o.name));
  const batch = description.input.batch === 1 ? { dimValue: 1 } : { dimParam: 'N' };
  for (const layer of description.layers.slice(1)) {
    if (have.has(layer.name)) continue;
    have.add(layer.name);
    outputs.push({
      name: layer.name,
      type: {
        tensorType: {
          elemType: FLOAT,
          shape: { dim: [batch, ...layer.shape.map((dimValue) => ({ dimValue }))] },
        },
      },
    });
  }
  return { ...model, graph: { ...graph, output: outputs } };
}
