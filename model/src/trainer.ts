/**
 * Data-parallel training on worker threads. Each batch is cut into `shards` fixed slices; worker j
 * always computes slice j's gradient into its own shared buffer; the main thread sums the slices in
 * order and steps Adam. With a fixed seed and shard count a run is reproducible bit for bit.
 * On the way it keeps copies of the weights at a few moments (checkpoints) and evaluates them on the
 * test set then and there (the weights are swapped in and back out exactly): nothing in the run changes.
 */
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { INPUT_NORMALIZATION, type LayerSpec } from './architecture.ts';
import { DEFAULT_AUGMENT, type AugmentSettings } from './augment.ts';
import { exchangeBuffers } from './exchange.ts';
import { roundToFloat16 } from './float16.ts';
import { loadMnist } from './mnist.ts';
import { initParams, paramLayout, type ParamLayout } from './network.ts';
import { Adam, cosineSchedule } from './optimizer.ts';
import { mixSeed, mulberry32, permutation } from './random.ts';
import type { EvalResult, ShardResult, WorkerMessage } from './worker.ts';

export interface TrainSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  warmupEpochs: number;
  weightDecay: number;
  /** Gradient slices per batch = worker threads. Part of the result's identity: keep it fixed. */
  shards: number;
  augment: AugmentSettings;
  /** Use only the first N training samples (for quick checks); 0 = all. */
  limit: number;
  /**
   * Moments kept as checkpoints besides the final weights: after these numbers of optimizer steps
   * (0 = the initial random weights) and at the end of these epochs. Moments at or past the end of
   * training are dropped (the final weights are the shipped model); a step that is also an epoch's
   * end counts once.
   */
  checkpoints: { steps: number[]; epochs: number[] };
}

export const DEFAULT_SETTINGS: TrainSettings = {
  seed: 20261124,
  epochs: 15,
  batchSize: 64,
  learningRate: 2e-3,
  finalLearningRate: 2e-5,
  warmupEpochs: 0.5,
  weightDecay: 1e-2,
  shards: 2,
  augment: DEFAULT_AUGMENT,
  limit: 0,
  checkpoints: { steps: [0, 50, 100, 200, 400], epochs: [1, 3] },
};

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  etaSeconds: number;
}

/** The weights at one moment of training, as the checkpoint file stores them (rounded to float16). */
export interface TrainCheckpoint {
  /** Optimizer steps done (0 = the initial weights). */
  step: number;
  /** step / stepsPerEpoch. */
  epoch: number;
  /** Training images seen. */
  images: number;
  /** On the 10k test set, with exactly these (float16-rounded) weights. */
  testAccuracy: number;
  params: Float64Array;
}

export interface TrainResult {
  layout: ParamLayout;
  params: Float64Array;
  /** Optimizer steps in one epoch, and in the whole run. */
  stepsPerEpoch: number;
  steps: number;
  /** Training images seen in the whole run. */
  images: number;
  /** Earlier moments of the run, oldest first (the final weights are `params`). */
  checkpoints: TrainCheckpoint[];
  testAccuracy: number;
  /** confusion[label][prediction] over the 10k test set. */
  confusion: number[][];
  seconds: number;
  history: EpochReport[];
}

type Job = { worker: Worker; pending?: (value: unknown) => void };

function startWorker(): Job {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url));
  const job: Job = { worker };
  worker.on('message', (m) => {
    const resolve = job.pending;
    job.pending = undefined;
    resolve?.(m);
  });
  worker.on('error', (e) => {
    throw e;
  });
  return job;
}

function send<T>(job: Job, msg: WorkerMessage): Promise<T> {
  return new Promise<T>((resolve) => {
    job.pending = resolve as (v: unknown) => void;
    job.worker.postMessage(msg);
  });
}

/** The steps after which `settings.checkpoints` keeps the weights, ascending, without the last. */
export function checkpointSteps(settings: TrainSettings, stepsPerEpoch: number): number[] {
  const total = settings.epochs * stepsPerEpoch;
  const steps = [
    ...settings.checkpoints.steps,
    ...settings.checkpoints.epochs.map((e) => e * stepsPerEpoch),
  ].filter((s) => Number.isInteger(s) && s >= 0 && s < total);
  return [...new Set(steps)].sort((a, b) => a - b);
}

export interface TrainHooks {
  onEpoch?: (r: EpochReport) => void;
  onCheckpoint?: (c: Omit<TrainCheckpoint, 'params'>) => void;
  /** After every optimizer step (steps done so far, in the whole schedule). */
  onStep?: (step: number, steps: number) => void;
  /**
   * Stop after this many epochs of the schedule (which still spans `settings.epochs`): the run is
   * then the start of the full one, bit for bit, and its checkpoints are the full run's.
   */
  stopAfterEpoch?: number;
}

export async function train(
  spec: readonly LayerSpec[],
  settings: TrainSettings,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const stopAfter = Math.min(settings.epochs, hooks.stopAfterEpoch ?? settings.epochs);
  const started = performance.now();
  const layout = paramLayout(spec);
  const trainSet = loadMnist('train', { shared: true });
  const testSet = loadMnist('test', { shared: true });
  const n = settings.limit > 0 ? Math.min(settings.limit, trainSet.count) : trainSet.count;

  const params = new Float64Array(new SharedArrayBuffer(layout.size * 8));
  initParams(layout, params, mulberry32(mixSeed(settings.seed, 0xfeed)));
  const order = new Int32Array(new SharedArrayBuffer(n * 4));
  const shardGrads = Array.from(
    { length: settings.shards },
    () => new Float64Array(new SharedArrayBuffer(layout.size * 8)),
  );
  const jobs = shardGrads.map(() => startWorker());
  const exchange = exchangeBuffers(settings.shards);
  await Promise.all(
    jobs.map((job, j) =>
      send(job, {
        type: 'init',
        spec: [...spec],
        params: params.buffer as SharedArrayBuffer,
        grads: shardGrads[j].buffer as SharedArrayBuffer,
        order,
        trainImages: trainSet.images,
        trainLabels: trainSet.labels,
        testImages: testSet.images,
        testLabels: testSet.labels,
        normalization: INPUT_NORMALIZATION,
        augment: settings.augment,
        seed: settings.seed,
        shard: j,
        shards: settings.shards,
        exchange,
      }),
    ),
  );

  // weight decay on weights only, never on biases
  const decayMask = new Uint8Array(layout.size);
  for (const t of layout.tensors)
    if (t.name.endsWith('.weight')) decayMask.fill(1, t.offset, t.offset + t.size);
  const adam = new Adam(layout.size);
  const stepsPerEpoch = Math.ceil(n / settings.batchSize);
  const lr = cosineSchedule(
    settings.learningRate,
    settings.finalLearningRate,
    Math.round(settings.warmupEpochs * stepsPerEpoch),
    settings.epochs * stepsPerEpoch,
  );
  const grads = new Float64Array(layout.size);
  const imagesAfter = (s: number) =>
    Math.floor(s / stepsPerEpoch) * n + Math.min(n, (s % stepsPerEpoch) * settings.batchSize);
  const keepAt = new Set(checkpointSteps(settings, stepsPerEpoch));
  const checkpoints: TrainCheckpoint[] = [];

  const evaluate = async () => {
    const per = Math.ceil(testSet.count / jobs.length);
    const parts = await Promise.all(
      jobs.map((job, j) =>
        send<EvalResult>(job, {
          type: 'eval',
          start: j * per,
          end: Math.min(testSet.count, (j + 1) * per),
        }),
      ),
    );
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    let correct = 0;
    for (const p of parts)
      p.confusion.forEach((c, i) => {
        confusion[Math.floor(i / 10)][i % 10] += c;
        if (Math.floor(i / 10) === i % 10) correct += c;
      });
    return { accuracy: correct / testSet.count, confusion };
  };

  /** After step s: if it is a checkpoint, keep the weights as stored (float16) and test them. */
  const keep = async (s: number) => {
    if (!keepAt.has(s)) return;
    const stored = Float64Array.from(params, roundToFloat16);
    const current = new Float64Array(params);
    params.set(stored);
    const { accuracy } = await evaluate();
    params.set(current);
    const c = { step: s, epoch: s / stepsPerEpoch, images: imagesAfter(s), testAccuracy: accuracy };
    checkpoints.push({ ...c, params: stored });
    hooks.onCheckpoint?.(c);
  };

  const history: EpochReport[] = [];
  let step = 0;
  let last = { accuracy: 0, confusion: [] as number[][] };
  try {
    await keep(step);
    for (let epoch = 0; epoch < stopAfter; epoch++) {
      const t0 = performance.now();
      permutation(n, mulberry32(mixSeed(settings.seed, epoch, 0xbeef)), order);
      let loss = 0;
      let correct = 0;
      for (let b = 0; b < n; b += settings.batchSize) {
        const end = Math.min(n, b + settings.batchSize);
        const per = Math.ceil((end - b) / settings.shards);
        const results = await Promise.all(
          jobs.map((job, j) =>
            send<ShardResult>(job, {
              type: 'shard',
              start: Math.min(end, b + j * per),
              end: Math.min(end, b + (j + 1) * per),
              epoch,
            }),
          ),
        );
        grads.fill(0);
        for (let j = 0; j < settings.shards; j++) {
          const g = shardGrads[j];
          for (let i = 0; i < grads.length; i++) grads[i] += g[i];
          loss += results[j].loss;
          correct += results[j].correct;
        }
        const scale = 1 / (end - b);
        for (let i = 0; i < grads.length; i++) grads[i] *= scale;
        adam.step(params, grads, lr(step++), settings.weightDecay, decayMask);
        hooks.onStep?.(step, settings.epochs * stepsPerEpoch);
        await keep(step);
      }
      last = await evaluate();
      const seconds = (performance.now() - t0) / 1000;
      const elapsed = (performance.now() - started) / 1000;
      const report: EpochReport = {
        epoch: epoch + 1,
        epochs: settings.epochs,
        loss: loss / n,
        trainAccuracy: correct / n,
        testAccuracy: last.accuracy,
        seconds,
        etaSeconds: (elapsed / (epoch + 1)) * (stopAfter - epoch - 1),
      };
      history.push(report);
      hooks.onEpoch?.(report);
    }
  } finally {
    await Promise.all(jobs.map((j) => j.worker.terminate()));
  }
  return {
    layout,
    params: new Float64Array(params),
    stepsPerEpoch,
    steps: step,
    images: imagesAfter(step),
    checkpoints,
    testAccuracy: last.accuracy,
    confusion: last.confusion,
    seconds: (performance.now() - started) / 1000,
    history,
  };
}

export const availableCores = () => cpus().length;
