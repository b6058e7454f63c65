/** A small network with every layer kind the trainer knows, and random parameters for it (tests only). */
import type { LayerSpec } from '../../src/architecture.ts';
import { initParams, type ParamLayout } from '../../src/network.ts';
import { gaussian, mulberry32 } from '../../src/random.ts';

const BN = { epsilon: 1e-5, momentum: 0.1 };
/** Every new kind once, batch norm on maps and on a vector, on a small input so the check is quick. */
export const SMALL: readonly LayerSpec[] = [
  { kind: 'input', name: 'input', shape: [3, 8, 8] },
  { kind: 'conv', name: 'conv1', from: 'input', filters: 3, kernel: 3, stride: 1, padding: 1 },
  { kind: 'batchnorm', name: 'bn1', from: 'conv1', ...BN },
  { kind: 'relu', name: 'relu1', from: 'bn1' },
  { kind: 'avgpool', name: 'pool1', from: 'relu1', kernel: 2, stride: 2 },
  { kind: 'conv', name: 'conv2', from: 'pool1', filters: 4, kernel: 3, stride: 1, padding: 0 },
  { kind: 'batchnorm', name: 'bn2', from: 'conv2', ...BN },
  { kind: 'globalavgpool', name: 'gap', from: 'bn2' },
  { kind: 'flatten', name: 'flatten', from: 'gap' },
  { kind: 'dense', name: 'fc1', from: 'flatten', units: 6 },
  { kind: 'batchnorm', name: 'bn3', from: 'fc1', ...BN },
  { kind: 'relu', name: 'relu2', from: 'bn3' },
  { kind: 'dense', name: 'fc2', from: 'relu2', units: 5 },
  { kind: 'softmax', name: 'probabilities', from: 'fc2' },
];

/** Random parameters (batch norm scales and biases too, so their gradients are not trivially special). */
export function randomParams(layout: ParamLayout, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const params = new Float64Array(layout.size);
  initParams(layout, params, rng);
  for (const t of layout.tensors) {
    for (let i = 0; i < t.size; i++) {
      const at = t.offset + i;
      if (t.name.endsWith('.bias')) params[at] = 0.1 * gaussian(rng);
      if (t.name.endsWith('.scale')) params[at] = 1 + 0.3 * gaussian(rng);
      if (t.name.endsWith('.mean')) params[at] = 0.5 * gaussian(rng);
      if (t.name.endsWith('.var')) params[at] = 0.5 + rng();
    }
  }
  return params;
}
