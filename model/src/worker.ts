/**
 * A training worker: computes the gradient of one shard of a batch, or evaluates a slice of the test
 * set, reading parameters and data from shared memory. The main thread (trainer.ts) sums shards in a
 * fixed order and steps the optimizer, so results do not depend on how threads are scheduled.
 */
import { parentPort } from 'node:worker_threads';
import type { LayerSpec } from './architecture.ts';
import { augmentInto, type AugmentSettings } from './augment.ts';
import { Batch } from './batch.ts';
import { sharedCombine } from './exchange.ts';
import { argmax, Network, paramLayout } from './network.ts';
import { mixSeed, mulberry32 } from './random.ts';

export interface WorkerInit {
  type: 'init';
  spec: LayerSpec[];
  params: SharedArrayBuffer;
  /** This worker's gradient buffer: each worker always computes the same shard of every batch. */
  grads: SharedArrayBuffer;
  /** The epoch's sample order (rewritten by the main thread before each epoch). */
  order: Int32Array;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  normalization: { scale: number; mean: number; std: number };
  augment: AugmentSettings;
  seed: number;
  /** This worker's shard index (0 moves the batch norms' running averages) and the shard count. */
  shard: number;
  shards: number;
  /** Shared memory where the shards add up their batch norm sums (see exchange.ts). */
  exchange: { slots: SharedArrayBuffer; barrier: SharedArrayBuffer };
}
export interface ShardJob {
  type: 'shard';
  start: number;
  end: number;
  epoch: number;
}
export interface EvalJob {
  type: 'eval';
  start: number;
  end: number;
}
export type WorkerMessage = WorkerInit | ShardJob | EvalJob;
export interface ShardResult {
  loss: number;
  correct: number;
}
export interface EvalResult {
  /** confusion[label * 10 + prediction] */
  confusion: number[];
}

let init: WorkerInit | undefined;
let net: Network | undefined;
let batch: Batch | undefined;
let grads: Float64Array | undefined;
const input = new Float64Array(784);
const raw = new Float64Array(784);
const tmp = new Float64Array(784);
const labels: number[] = [];

function normalizeInto(
  values: ArrayLike<number>,
  norm: WorkerInit['normalization'],
  out: Float64Array = input,
): void {
  for (let i = 0; i < 784; i++) out[i] = (values[i] * norm.scale - norm.mean) / norm.std;
}

parentPort!.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'init') {
    init = msg;
    const layout = paramLayout(msg.spec);
    const params = new Float64Array(msg.params);
    net = new Network(layout, params);
    batch = new Batch(layout, params, sharedCombine(msg.exchange, msg.shard, msg.shards));
    grads = new Float64Array(msg.grads);
    parentPort!.postMessage('ready');
    return;
  }
  if (!init || !net || !batch) throw new Error('worker used before init');
  if (msg.type === 'shard') {
    grads!.fill(0);
    const n = msg.end - msg.start;
    labels.length = n;
    for (let i = 0; i < n; i++) {
      const idx = init.order[msg.start + i];
      const rng = mulberry32(mixSeed(init.seed, msg.epoch, idx));
      augmentInto(init.trainImages, idx * 784, raw, tmp, rng, init.augment);
      normalizeInto(raw, init.normalization, batch.sample(i).acts[0]);
      labels[i] = init.trainLabels[idx];
    }
    const result: ShardResult = batch.train(n, labels, grads!, init.shard === 0);
    parentPort!.postMessage(result);
  } else {
    const confusion = new Array<number>(100).fill(0);
    for (let i = msg.start; i < msg.end; i++) {
      normalizeInto(init.testImages.subarray(i * 784, i * 784 + 784), init.normalization);
      confusion[init.testLabels[i] * 10 + argmax(net.forward(input))]++;
    }
    const result: EvalResult = { confusion };
    parentPort!.postMessage(result);
  }
});
