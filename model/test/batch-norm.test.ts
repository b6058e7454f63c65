// Batch normalisation (trained with batch statistics), average pooling and global average pooling:
// the hand-written backward passes against central differences of the forward pass, the running
// averages against moments computed here, and the batch trainer against the sample-by-sample one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LENET5 } from '../src/architecture.ts';
import { Batch } from '../src/batch.ts';
import { Network, paramLayout } from '../src/network.ts';
import { gaussian, mulberry32 } from '../src/random.ts';
import { randomParams, SMALL } from './helpers/every-kind.ts';
import { assertGradients } from './helpers/gradient-check.ts';

function fillBatch(batch: Batch, n: number, inputSize: number, seed: number): void {
  const rng = mulberry32(seed);
  for (let i = 0; i < n; i++)
    batch.sample(i).acts[0].set(Float64Array.from({ length: inputSize }, () => gaussian(rng)));
}

test('batch norm trained with batch statistics, average and global average pooling: backprop matches central differences', () => {
  const layout = paramLayout(SMALL);
  const params = randomParams(layout, 5);
  const batch = new Batch(layout, params);
  const n = 5;
  const labels = [0, 3, 1, 4, 3];
  fillBatch(batch, n, 192, 9);
  const grads = new Float64Array(layout.size);
  batch.train(n, labels, grads, false);
  const loss = () => batch.train(n, labels, new Float64Array(layout.size), false).loss;

  // a running average takes no part in a training pass: both its gradients are zero
  assertGradients(layout, params, grads, loss, mulberry32(17));
  // the check is not vacuous: conv1's bias feeds a batch norm, so its true gradient is zero, while
  // bn1's scale and bias have gradients of their own
  const slot = (name: string) => layout.tensors.find((t) => t.name === name)!;
  const sum = (name: string) => grads.subarray(slot(name).offset, slot(name).offset + slot(name).size);
  assert.ok(Math.max(...sum('conv1.bias').map(Math.abs)) < 1e-10, 'a bias before batch norm learns nothing');
  assert.ok(Math.max(...sum('bn1.scale').map(Math.abs)) > 1e-3);
  assert.ok(Math.max(...sum('bn1.bias').map(Math.abs)) > 1e-3);
});

test('a training pass moves the running averages towards the batch moments (variance unbiased)', () => {
  const layout = paramLayout(SMALL);
  const params = randomParams(layout, 6);
  const batch = new Batch(layout, params);
  const n = 4;
  fillBatch(batch, n, 192, 10);
  const slot = (name: string) => layout.tensors.find((t) => t.name === name)!;
  const before = { mean: params[slot('bn1.mean').offset + 1], var: params[slot('bn1.var').offset + 1] };
  batch.train(n, [0, 1, 2, 3], new Float64Array(layout.size), true);
  // channel 1 of conv1 over the 4 samples × 8 × 8 positions, computed here from the activations
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(...batch.sample(i).acts[1].subarray(64, 128));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const unbiased = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  assert.ok(Math.abs(params[slot('bn1.mean').offset + 1] - (0.9 * before.mean + 0.1 * mean)) < 1e-12);
  assert.ok(Math.abs(params[slot('bn1.var').offset + 1] - (0.9 * before.var + 0.1 * unbiased)) < 1e-12);
  // in training, bn1's output is normalised per channel: mean 0, variance 1 (up to ε) before scale and bias
  const gamma = params[slot('bn1.scale').offset + 1];
  const beta = params[slot('bn1.bias').offset + 1];
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      ...batch
        .sample(i)
        .acts[2].subarray(64, 128)
        .map((y) => (y - beta) / gamma),
    );
  const outMean = out.reduce((a, b) => a + b, 0) / out.length;
  const outVar = out.reduce((a, b) => a + (b - outMean) ** 2, 0) / out.length;
  assert.ok(Math.abs(outMean) < 1e-9, `normalised mean ${outMean}`);
  assert.ok(Math.abs(outVar - 1) < 1e-3, `normalised variance ${outVar}`);
});

test('inference uses the running averages: y = scale · (x − mean) / √(var + ε) + bias', () => {
  const layout = paramLayout(SMALL);
  const params = randomParams(layout, 7);
  const net = new Network(layout, params);
  const rng = mulberry32(3);
  net.forward(Float64Array.from({ length: 192 }, () => gaussian(rng)));
  const at = (name: string) => params[layout.tensors.find((t) => t.name === name)!.offset + 2];
  const x = net.acts[1][2 * 64 + 13];
  const expected =
    (at('bn1.scale') * (x - at('bn1.mean'))) / Math.sqrt(at('bn1.var') + 1e-5) + at('bn1.bias');
  assert.ok(Math.abs(net.acts[2][2 * 64 + 13] - expected) < 1e-12);
  // average pooling: the mean of the 2×2 window; global average pooling: the mean of the map
  const relu = net.acts[3];
  const window = [relu[64 + 2 * 8 + 2], relu[64 + 2 * 8 + 3], relu[64 + 3 * 8 + 2], relu[64 + 3 * 8 + 3]];
  assert.ok(Math.abs(net.acts[4][16 + 1 * 4 + 1] - window.reduce((a, b) => a + b) / 4) < 1e-12);
  const bn2 = net.acts[6];
  const map = Array.from(bn2.subarray(4, 8));
  assert.ok(Math.abs(net.acts[7][1] - map.reduce((a, b) => a + b) / 4) < 1e-12);
  assert.throws(() => net.backward(0, new Float64Array(layout.size)), /a batch at a time/);
});

test('without batch norm, the batch trainer gives the sample-by-sample gradient bit for bit', () => {
  const layout = paramLayout(LENET5);
  const params = randomParams(layout, 8);
  const batch = new Batch(layout, params);
  const n = 3;
  const labels = [7, 2, 9];
  fillBatch(batch, n, 784, 11);
  const byBatch = new Float64Array(layout.size);
  const { loss } = batch.train(n, labels, byBatch, true);
  const net = new Network(layout, params);
  const bySample = new Float64Array(layout.size);
  let sampleLoss = 0;
  for (let i = 0; i < n; i++) {
    net.forward(batch.sample(i).acts[0]);
    sampleLoss += net.backward(labels[i], bySample);
  }
  assert.equal(loss, sampleLoss);
  assert.deepEqual(byBatch, bySample);
});
