/**
 * `cnn-visualizer/explain`: the arithmetic behind every number the element draws, and which pixels
 * of a drawing drove its answer. DOM-free (runs in Node, workers, servers).
 */
export { explain, EXPLAINED_KINDS } from './explain.js';
export { formula, describe, place } from './formula.js';
export { formatNumber, parseFormatted } from './format.js';
export { inputField } from './field.js';
export { cellOf, indexOf, geometryOf, type Geometry } from './position.js';
export * from './types.js';
export {
  saliency,
  occlusionSaliency,
  batchPredictor,
  type PredictBatch,
  type SaliencyOptions,
  type SaliencyResult,
} from './saliency.js';
