/**
 * `cnn-visualizer/onnx`: bring your own CNN. Reads any small ONNX image classifier in the page (or in
 * Node) with no converter: decodes the file, derives the layer list the renderer, tour and
 * explanations consume, reads the weights, and rewrites the model so one `session.run` returns every
 * drawn layer. DOM-free; the protobuf code (`onnx-proto`) is imported lazily, on the first decode.
 *
 * ```js
 * import { loadOnnx } from 'cnn-visualizer/onnx';
 * const { description, weights, bytes } = await loadOnnx(new Uint8Array(await file.arrayBuffer()));
 * const session = await ort.InferenceSession.create(bytes); // every layer in description is an output
 * ```
 */
import type { ModelDescription } from '../model/description.js';
import type { Weights } from '../model/tensor.js';
import { deriveDescription, type DeriveOptions } from './derive.js';
import { exposeLayers } from './expose.js';
import { decodeOnnx, encodeOnnx, type OnnxModel } from './proto.js';
import { modelVersion } from './sha256.js';
import { readWeights } from './weights.js';

export {
  deriveDescription,
  MAX_ACTIVATIONS,
  MAX_INPUT_SIDE,
  SUPPORTED_OPERATORS,
  WARN_ACTIVATIONS,
  type DeriveOptions,
} from './derive.js';
export { exposeLayers } from './expose.js';
export { OnnxModelError } from './model-error.js';
export { decodeOnnx, encodeOnnx, type OnnxModel } from './proto.js';
export { modelVersion, sha256Hex } from './sha256.js';
export { readTensor, readWeights } from './weights.js';
export type { Tensor, Weights } from '../model/tensor.js';

/** A classifier read from an ONNX file, ready to run and to draw. */
export interface OnnxClassifier {
  /** The layer list (names = tensor names = graph outputs of `bytes`), input defaults, classes. */
  description: ModelDescription;
  /** The learnt tensors, by the names `description.layers[i].params` lists. */
  weights: Weights;
  /** The model rewritten with every drawn layer as a graph output: give these to onnxruntime. */
  bytes: Uint8Array;
  /** The decoded original graph. */
  model: OnnxModel;
}

/**
 * Everything the element (or the server) needs from an `.onnx` file's bytes: decode, derive the
 * description (`version` = the bytes' hash unless given), read the weights, expose every layer.
 *
 * @throws OnnxModelError naming the operator and the node when the graph cannot be shown (see
 *   `deriveDescription`), or an Error when the bytes are not an ONNX model or a weight is unreadable.
 */
export async function loadOnnx(bytes: Uint8Array, options: DeriveOptions = {}): Promise<OnnxClassifier> {
  const model = await decodeOnnx(bytes);
  const description = deriveDescription(model, { version: modelVersion(bytes), ...options });
  const weights = readWeights(model);
  return { description, weights, bytes: await encodeOnnx(exposeLayers(model, description)), model };
}
