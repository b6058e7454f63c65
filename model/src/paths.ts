/** Where the model package keeps its artefacts. */
import { fileURLToPath } from 'node:url';

export const MODEL_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ONNX_PATH = fileURLToPath(new URL('../cnn.onnx', import.meta.url));
export const METADATA_PATH = fileURLToPath(new URL('../cnn.json', import.meta.url));
/** Training checkpoints (float16 ONNX files, listed in cnn.json), relative to MODEL_DIR. */
export const CHECKPOINTS_DIR = fileURLToPath(new URL('../checkpoints/', import.meta.url));
/** The last training run's raw float64 parameters and report (not committed): `<out>/.data/`. */
export const RUN_FOLDER = '.data';
