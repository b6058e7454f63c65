/**
 * `cnn-visualizer`: importing this module defines `<cnn-visualizer>`.
 * DOM-free parts have their own subpaths: `cnn-visualizer/preprocess`, `cnn-visualizer/protocol`,
 * `cnn-visualizer/description`.
 */
import { CnnVisualizer } from './cnn-visualizer.js';

if (!customElements.get('cnn-visualizer')) customElements.define('cnn-visualizer', CnnVisualizer);

export { CnnVisualizer };
export type {
  ActiveBackend,
  BackendName,
  CnnEventMap,
  ErrorDetail,
  InputDetail,
  InputSource,
  PredictionDetail,
  ProgressDetail,
  ReadyDetail,
  StepDetail,
} from './cnn-visualizer.js';
export type { Activations, InferenceBackend, LayerActivation } from './inference/activations.js';
export { LocalOnnxBackend } from './inference/local-backend.js';
export { WebSocketBackend } from './inference/websocket-backend.js';
export type { LayerDescription, ModelDescription } from './model/description.js';
export { preprocess, rgbaToGray, normalize } from './model/preprocess.js';
