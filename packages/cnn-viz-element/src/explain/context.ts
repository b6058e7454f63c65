/** What every operation's explainer gets: the layer, the layer it reads, their values, the weights. */
import type { LayerDescription, ModelDescription } from '../model/description.js';
import type { Weights } from '../model/tensor.js';
import type { Geometry } from './position.js';
import type { Cell, ExplainOptions, ExplanationInputs, PixelBox } from './types.js';

export interface Context {
  model: ModelDescription;
  weights: Weights;
  layer: LayerDescription;
  /** The layer's values for this drawing. */
  out: Float32Array;
  geometry: Geometry;
  index: number;
  cell: Cell;
  field: PixelBox;
  /** The layer it reads (absent for the input). */
  source?: { layer: LayerDescription; values: Float32Array; geometry: Geometry };
  options: ExplainOptions;
}

/** The source, or a clear error for a layer that should have one. */
export function sourceOf(ctx: Context): NonNullable<Context['source']> {
  if (!ctx.source) throw new Error(`layer ${ctx.layer.name} reads no layer`);
  return ctx.source;
}

/** The common fields; `inputs` from a list of the source's flat indices. */
export function base<K extends string>(ctx: Context, operation: K, indices: number[], cells: Cell[]) {
  const src = ctx.source;
  const inputs: ExplanationInputs = {
    layer: src?.layer.name ?? '',
    indices,
    values: src ? indices.map((i) => src.values[i]) : [],
    cells,
  };
  return {
    layer: ctx.layer.name,
    index: ctx.index,
    value: ctx.out[ctx.index],
    operation,
    cell: ctx.cell,
    inputs,
    field: ctx.field,
  };
}
