// The hand-written backward pass is checked against numerical derivatives of the forward pass, for
// every parameter tensor, so the trainer's gradients are proven rather than trusted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LENET5 } from '../src/architecture.ts';
import { initParams, Network, paramLayout } from '../src/network.ts';
import { gaussian, mulberry32 } from '../src/random.ts';
import { assertGradients } from './helpers/gradient-check.ts';

test('backprop matches central differences for every parameter tensor', () => {
  const layout = paramLayout(LENET5);
  const params = new Float64Array(layout.size);
  const rng = mulberry32(7);
  initParams(layout, params, rng);
  // small non-zero biases so ReLUs and pools see varied inputs
  for (const t of layout.tensors)
    if (t.name.endsWith('.bias'))
      for (let i = 0; i < t.size; i++) params[t.offset + i] = 0.05 * gaussian(rng);
  const net = new Network(layout, params);
  const input = Float64Array.from({ length: 784 }, () => gaussian(rng));
  const label = 3;
  const grads = new Float64Array(layout.size);
  net.forward(input);
  net.backward(label, grads);
  const loss = () => -Math.log(net.forward(input)[label]);

  assertGradients(layout, params, grads, loss, rng);
});

test('a batch gradient is the sum of per-sample gradients (accumulation, not overwrite)', () => {
  const layout = paramLayout(LENET5);
  const params = new Float64Array(layout.size);
  const rng = mulberry32(11);
  initParams(layout, params, rng);
  const net = new Network(layout, params);
  const a = Float64Array.from({ length: 784 }, () => gaussian(rng));
  const b = Float64Array.from({ length: 784 }, () => gaussian(rng));
  const ga = new Float64Array(layout.size);
  const gb = new Float64Array(layout.size);
  const both = new Float64Array(layout.size);
  net.forward(a);
  net.backward(1, ga);
  net.forward(b);
  net.backward(7, gb);
  net.forward(a);
  net.backward(1, both);
  net.forward(b);
  net.backward(7, both);
  for (let i = 0; i < layout.size; i += 97) assert.ok(Math.abs(both[i] - ga[i] - gb[i]) < 1e-12);
});
