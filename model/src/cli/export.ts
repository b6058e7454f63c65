/** Re-exports cnn.onnx / cnn.json from the last training run's checkpoint (model/.data/). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LENET5 } from '../architecture.ts';
import { paramLayout } from '../network.ts';
import { CHECKPOINT_DIR, MODEL_DIR } from '../paths.ts';
import { saveModel } from '../save-model.ts';

const bytes = readFileSync(join(CHECKPOINT_DIR, 'params.f64'));
const params = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const run = JSON.parse(readFileSync(join(CHECKPOINT_DIR, 'run.json'), 'utf8'));
const saved = saveModel({ ...run, layout: paramLayout(LENET5), params }, process.argv[2] ?? MODEL_DIR);
console.log(`wrote ${saved.onnxPath} and ${saved.jsonPath} (version ${saved.version})`);
