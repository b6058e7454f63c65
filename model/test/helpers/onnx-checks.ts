/**
 * What the model tests check the same way for every shipped file: the trainer's parameters read back
 * from an ONNX file's initializers, and a file's accuracy on a fixed slice of MNIST's test set.
 */
import assert from 'node:assert/strict';
import type * as ort from 'onnxruntime-web';
import { readOnnxInitializers } from '../../src/export-onnx.ts';
import type { MnistSet } from '../../src/mnist.ts';
import { argmax, type ParamLayout } from '../../src/network.ts';

/** The file's initializers as the trainer's flat parameter vector (each tensor present, same shape). */
export function paramsFromOnnx(layout: ParamLayout, onnxBytes: Uint8Array): Float64Array {
  const params = new Float64Array(layout.size);
  const inits = readOnnxInitializers(onnxBytes);
  for (const t of layout.tensors) {
    const init = inits.get(t.name);
    assert.ok(init, `initializer ${t.name}`);
    assert.deepEqual(init.shape, t.shape);
    params.set(init.data, t.offset);
  }
  return params;
}

/** Writes test image `image`, normalised as a description says, at `out[at…at+784)`. */
export function mnistNormaliser(
  testSet: MnistSet,
  { scale, mean, std }: { scale: number; mean: number; std: number },
): (out: Float32Array, at: number, image: number) => void {
  return (out, at, image) => {
    for (let i = 0; i < 784; i++) out[at + i] = (testSet.images[image * 784 + i] * scale - mean) / std;
  };
}

/** The fraction of test images `picks` a session classifies right, 500 per run. */
export async function sliceAccuracy(
  session: ort.InferenceSession,
  ortModule: typeof ort,
  inputName: string,
  testSet: MnistSet,
  normaliseInto: (out: Float32Array, at: number, image: number) => void,
  picks: number[],
): Promise<number> {
  const batch = 500;
  const input = new Float32Array(batch * 784);
  let correct = 0;
  for (let b = 0; b < picks.length; b += batch) {
    const part = picks.slice(b, b + batch);
    part.forEach((image, k) => normaliseInto(input, k * 784, image));
    const x = new ortModule.Tensor('float32', input.subarray(0, part.length * 784), [part.length, 1, 28, 28]);
    const p = (await session.run({ [inputName]: x }, ['probabilities'])).probabilities.data as Float32Array;
    part.forEach((image, k) => {
      if (argmax(p.subarray(k * 10, k * 10 + 10)) === testSet.labels[image]) correct++;
    });
  }
  return correct / picks.length;
}
