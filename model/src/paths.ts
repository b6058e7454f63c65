/** Where the model package keeps its artefacts. */
import { fileURLToPath } from 'node:url';

export const MODEL_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ONNX_PATH = fileURLToPath(new URL('../cnn.onnx', import.meta.url));
export const METADATA_PATH = fileURLToPath(new URL('../cnn.json', import.meta.url));
/** The last training run's raw float64 parameters and report (not committed). */
export const CHECKPOINT_DIR = fileURLToPath(new URL('../.data/', import.meta.url));
