/**
 * A training worker: computes the gradient of one shard of a batch, or evaluates a slice of the test
 * set, reading parameters and data from shared memory. The main thread (trainer.ts) sums shards in a
 * fixed order and steps the optimizer, so results do not depend on how threads are scheduled.
 */
import { parentPort } from 'node:worker_threads';
import type { LayerSpec } from './architecture.ts';
import { augmentInto, type AugmentSettings } from './augment.ts';
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
let grads: Float64Array | undefined;
const input = new Float64Array(784);
const raw = new Float64Array(784);
const tmp = new Float64Array(784);

function normalizeInto(values: ArrayLike<number>, norm: WorkerInit['normalization']): void {
  for (let i = 0; i < 784; i++) input[i] = (values[i] * norm.scale - norm.mean) / norm.std;
}

parentPort!.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'init') {
    init = msg;
    net = new Network(paramLayout(msg.spec), new Float64Array(msg.params));
    grads = new Float64Array(msg.grads);
    parentPort!.postMessage('ready');
    return;
  }
  if (!init || !net) throw new Error('worker used before init');
  if (msg.type === 'shard') {
    grads!.fill(0);
    let loss = 0;
    let correct = 0;
    for (let i = msg.start; i < msg.end; i++) {
      const idx = init.order[i];
      const rng = mulberry32(mixSeed(init.seed, msg.epoch, idx));
      augmentInto(init.trainImages, idx * 784, raw, tmp, rng, init.augment);
      normalizeInto(raw, init.normalization);
      const probs = net.forward(input);
      const label = init.trainLabels[idx];
      if (argmax(probs) === label) correct++;
      loss += net.backward(label, grads!);
    }
    const result: ShardResult = { loss, correct };
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
