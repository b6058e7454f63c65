// Whether a server's HELLO describes this page's model, and what the reader is told when it does not.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { HelloInfo } from '../src/inference/protocol.ts';
import { serverCheckpointProblem, serverModelMismatch } from '../src/inference/server-model.ts';
import type { ModelDescription } from '../src/model/description.ts';

const modelDir = new URL('../../../model/', import.meta.url);
const shipped: ModelDescription = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8'));
const sha256 = createHash('sha256')
  .update(readFileSync(new URL('cnn.onnx', modelDir)))
  .digest('hex');

/** The HELLO a server running the shipped model sends (built here from cnn.json, as docs/protocol.md says). */
const hello = (): HelloInfo => ({
  protocol: 1,
  model: { name: shipped.name, version: shipped.version, sha256 },
  input: { shape: [1, 28, 28], normalization: { scale: 1 / 255, mean: 0.1307, std: 0.3081 } },
  layers: shipped.layers.slice(1).map(({ name, kind, shape }) => ({ name, kind, shape })),
  checkpoints: shipped.checkpoints!.map(({ step, epoch, testAccuracy }) => ({ step, epoch, testAccuracy })),
  limits: { maxInFlight: 16, requestsPerSecond: 120, maxFrameBytes: 4096 },
});

test('the shipped model matches a server running it, and one that says nothing of hash or input', () => {
  assert.equal(serverModelMismatch(hello(), shipped), undefined);
  const old = hello();
  delete old.model.sha256;
  delete old.input;
  delete old.checkpoints;
  assert.equal(serverModelMismatch(old, shipped), undefined);
});

test('other weights, layers, input or normalisation are named, with both models', () => {
  const retrained = {
    ...hello(),
    model: { ...hello().model, sha256: 'ab'.repeat(32), version: 'abababababababab' },
  };
  const m = serverModelMismatch(retrained, shipped)!;
  assert.match(
    m,
    /^the server runs the model lenet5-mnist \(version abababababababab, 13 layers, input 1×28×28\)/,
  );
  assert.match(m, new RegExp(`this page's model is lenet5-mnist \\(version ${shipped.version}, 13 layers`));
  assert.match(m, /their weights differ \(the server's ONNX file has SHA-256 abababababababab…/);

  const wider = hello();
  wider.layers[3] = { ...wider.layers[3], shape: [32, 10, 10] };
  assert.match(
    serverModelMismatch(wider, shipped)!,
    /their layer 4 is conv "conv2" of 32×10×10 on the server, conv "conv2" of 16×10×10 in this page/,
  );

  const shorter = hello();
  shorter.layers.pop();
  assert.match(
    serverModelMismatch(shorter, shipped)!,
    /the server's has 12 layers after the input, this page's 13/,
  );

  const colour = { ...hello(), input: { shape: [3, 28, 28] } };
  assert.match(
    serverModelMismatch(colour, shipped)!,
    /the server's takes 3×28×28 inputs, this page's 1×28×28/,
  );

  const unit = {
    ...hello(),
    input: { shape: [1, 28, 28], normalization: { scale: 1 / 255, mean: 0, std: 1 } },
  };
  assert.match(
    serverModelMismatch(unit, shipped)!,
    /the server normalises the input as pixel × 0\.00392157, minus 0, divided by 1; this page as pixel × 0\.00392157, minus 0\.1307, divided by 0\.3081/,
  );
});

test('a model trained on dark ink is not one trained on bright ink', () => {
  const dark = { ...hello(), input: { ...hello().input!, ink: 'dark' as const } };
  assert.match(
    serverModelMismatch(dark, shipped)!,
    /the server's model reads dark ink on a light background, this page's bright ink on a dark background/,
  );
  assert.equal(
    serverModelMismatch(dark, { ...shipped, input: { ...shipped.input, ink: 'dark' } }),
    undefined,
  );
});

test('a description whose version is not a hash is compared by its layers only', () => {
  assert.equal(serverModelMismatch(hello(), { ...shipped, version: '1.0' }), undefined);
});

test('a checkpoint the server does not offer, or from another training step, is named', () => {
  assert.equal(serverCheckpointProblem(hello(), shipped, 0), undefined);
  assert.equal(serverCheckpointProblem(hello(), shipped, 7), undefined);
  const none = { ...hello(), checkpoints: [] };
  assert.match(
    serverCheckpointProblem(none, shipped, 2)!,
    /offers no checkpoints \(asked for checkpoint 2\)/,
  );
  const fewer = { ...hello(), checkpoints: hello().checkpoints!.slice(0, 3) };
  assert.match(
    serverCheckpointProblem(fewer, shipped, 5)!,
    /offers checkpoints 0–2 of its model, not checkpoint 5/,
  );
  const other = hello();
  other.checkpoints![1] = { ...other.checkpoints![1], step: 60 };
  assert.match(
    serverCheckpointProblem(other, shipped, 1)!,
    /checkpoint 1 is from training step 60, this page's from step 50/,
  );
});
