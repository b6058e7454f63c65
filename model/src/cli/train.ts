/**
 * `npm run train`: trains LeNet-5 on MNIST with the shipped settings and writes model/cnn.onnx, the
 * training checkpoints (model/checkpoints/) and model/cnn.json; `--model small-vgg` trains the small
 * VGG into model/small-vgg/ instead (see models.ts). Options: --epochs N, --limit N (first
 * N training images), --seed N, --out DIR, --checkpoint-steps 0,10,… and --checkpoint-epochs 1,3.
 * --stop-after-epoch N runs only the first N epochs of the schedule and keeps that partial run in
 * `<out>/.data/` (its checkpoints are the full run's): `npm run export -w model -- --final-from DIR`
 * then writes the checkpoints next to an existing trained model.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { recipe } from '../models.ts';
import { RUN_FOLDER } from '../paths.ts';
import { saveModel, saveRun } from '../save-model.ts';
import { train } from '../trainer.ts';
import { CHECKPOINT_OPTIONS, intOption, intsOption } from './options.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    epochs: { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    ...CHECKPOINT_OPTIONS,
    'stop-after-epoch': { type: 'string' },
  },
});
const chosen = recipe(values.model);
const DEFAULT_SETTINGS = chosen.settings;
const settings = {
  ...DEFAULT_SETTINGS,
  epochs: intOption(values.epochs, 'epochs', DEFAULT_SETTINGS.epochs),
  limit: intOption(values.limit, 'limit', DEFAULT_SETTINGS.limit),
  seed: intOption(values.seed, 'seed', DEFAULT_SETTINGS.seed),
  checkpoints: {
    steps: intsOption(values['checkpoint-steps'], 'checkpoint-steps', DEFAULT_SETTINGS.checkpoints.steps),
    epochs: intsOption(values['checkpoint-epochs'], 'checkpoint-epochs', DEFAULT_SETTINGS.checkpoints.epochs),
  },
};
const outDir = values.out ?? chosen.dir;
const fmt = (seconds: number) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

console.log(
  `training ${chosen.title} on MNIST: ${settings.epochs} epochs, batch ${settings.batchSize}, ` +
    `${settings.shards} worker threads, seed ${settings.seed}${settings.limit ? `, first ${settings.limit} images` : ''}`,
);
const started = performance.now();
const stopAfterEpoch = intOption(values['stop-after-epoch'], 'stop-after-epoch', settings.epochs);
const result = await train(chosen.layers, settings, {
  stopAfterEpoch,
  onEpoch: (r) =>
    console.log(
      `epoch ${String(r.epoch).padStart(2)}/${r.epochs}  loss ${r.loss.toFixed(4)}  ` +
        `train acc ${(r.trainAccuracy * 100).toFixed(2)}%  test acc ${(r.testAccuracy * 100).toFixed(2)}%  ` +
        `${r.seconds.toFixed(1)} s  ETA ${fmt(r.etaSeconds)}`,
    ),
  onStep: (step, steps) => {
    if (step % 100 === 0) console.log(`step ${step}/${steps} (${fmt((performance.now() - started) / 1000)})`);
  },
  onCheckpoint: (c) =>
    console.log(
      `checkpoint after ${c.step} steps (epoch ${c.epoch.toFixed(3)}, ${c.images} images): ` +
        `test acc ${(c.testAccuracy * 100).toFixed(2)}% with float16 weights`,
    ),
});
const model = { ...result, settings };
saveRun(model, join(outDir, RUN_FOLDER));
if (stopAfterEpoch < settings.epochs) {
  console.log(
    `stopped after epoch ${stopAfterEpoch} of ${settings.epochs} (${fmt(result.seconds)}); kept the run in ` +
      `${join(outDir, RUN_FOLDER)}: export its checkpoints with \`npm run export -w model -- --out ${outDir} --final-from DIR\``,
  );
  process.exit(0);
}
const saved = saveModel(model, outDir, chosen);
console.log(
  `test accuracy ${(result.testAccuracy * 100).toFixed(2)}% in ${fmt(result.seconds)}; ` +
    `wrote ${saved.onnxPath}, ${saved.checkpointPaths.length} checkpoints and ${saved.jsonPath} ` +
    `(version ${saved.version})`,
);
