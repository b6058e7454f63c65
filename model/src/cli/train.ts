/**
 * `npm run train`: trains LeNet-5 on MNIST with the shipped settings and writes model/cnn.onnx and
 * model/cnn.json. Options: --epochs N, --limit N (first N training images), --seed N, --out DIR.
 */
import { parseArgs } from 'node:util';
import { LENET5 } from '../architecture.ts';
import { CHECKPOINT_DIR, MODEL_DIR } from '../paths.ts';
import { saveCheckpoint, saveModel } from '../save-model.ts';
import { DEFAULT_SETTINGS, train } from '../trainer.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  },
});
const int = (v: string | undefined, name: string, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
};
const settings = {
  ...DEFAULT_SETTINGS,
  epochs: int(values.epochs, 'epochs', DEFAULT_SETTINGS.epochs),
  limit: int(values.limit, 'limit', DEFAULT_SETTINGS.limit),
  seed: int(values.seed, 'seed', DEFAULT_SETTINGS.seed),
};
const outDir = values.out ?? MODEL_DIR;
const fmt = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

console.log(
  `training LeNet-5 on MNIST: ${settings.epochs} epochs, batch ${settings.batchSize}, ` +
    `${settings.shards} worker threads, seed ${settings.seed}${settings.limit ? `, first ${settings.limit} images` : ''}`,
);
const result = await train(LENET5, settings, (r) =>
  console.log(
    `epoch ${String(r.epoch).padStart(2)}/${r.epochs}  loss ${r.loss.toFixed(4)}  ` +
      `train acc ${(r.trainAccuracy * 100).toFixed(2)}%  test acc ${(r.testAccuracy * 100).toFixed(2)}%  ` +
      `${r.seconds.toFixed(1)} s  ETA ${fmt(r.etaSeconds)}`,
  ),
);
const model = { ...result, settings };
saveCheckpoint(model, CHECKPOINT_DIR);
const saved = saveModel(model, outDir);
console.log(
  `test accuracy ${(result.testAccuracy * 100).toFixed(2)}% in ${fmt(result.seconds)}; ` +
    `wrote ${saved.onnxPath} and ${saved.jsonPath} (version ${saved.version})`,
);
