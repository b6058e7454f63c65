/**
 * `npm run export -w model`: re-exports cnn.onnx, the checkpoints and cnn.json from the last training
 * run's raw parameters (`<dir>/.data/`), without retraining. Options: --model small-vgg (default
 * lenet5), --out DIR (default: the model's folder, model/ for LeNet-5);
 * --checkpoint-steps 0,10,… and --checkpoint-epochs 1,3 export only those of the run's checkpoints
 * (and record that choice in cnn.json's settings, so `npm run train` with it gives the same files);
 * --final-from DIR takes the final model (cnn.onnx, accuracy, history) from DIR, for a run stopped
 * early with --stop-after-epoch (its checkpoints are those of the full run that trained DIR's model).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { recipe } from '../models.ts';
import { paramLayout } from '../network.ts';
import { RUN_FOLDER } from '../paths.ts';
import { loadRun, saveModel, withFinalFrom } from '../save-model.ts';
import { checkpointSteps } from '../trainer.ts';
import { CHECKPOINT_OPTIONS, intsOption } from './options.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    out: { type: 'string' },
    'final-from': { type: 'string' },
    ...CHECKPOINT_OPTIONS,
  },
});
const chosen = recipe(values.model);
const outDir = values.out ?? chosen.dir;
let model = loadRun(join(outDir, RUN_FOLDER), paramLayout(chosen.layers));
if (values['final-from']) model = withFinalFrom(model, values['final-from']);
if (values['checkpoint-steps'] !== undefined || values['checkpoint-epochs'] !== undefined) {
  const chosen = {
    steps: intsOption(values['checkpoint-steps'], 'checkpoint-steps', []),
    epochs: intsOption(values['checkpoint-epochs'], 'checkpoint-epochs', []),
  };
  const steps = checkpointSteps({ ...model.settings, checkpoints: chosen }, model.stepsPerEpoch);
  const kept = new Set(model.checkpoints.map((c) => c.step));
  const missing = steps.filter((s) => !kept.has(s));
  if (missing.length)
    throw new Error(`the run kept no weights after step(s) ${missing.join(', ')}: train with them`);
  model = {
    ...model,
    settings: { ...model.settings, checkpoints: chosen },
    checkpoints: model.checkpoints.filter((c) => steps.includes(c.step)),
  };
}
const saved = saveModel(model, outDir, chosen);
console.log(
  `wrote ${saved.onnxPath}, ${saved.checkpointPaths.length} checkpoints and ${saved.jsonPath} (version ${saved.version})`,
);
