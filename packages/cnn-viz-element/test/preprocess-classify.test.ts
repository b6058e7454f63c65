// The whole path a drawing takes, minus the pointer: an MNIST test digit drawn large and off-centre
// on a 280×280 canvas → preprocess → the shipped model (onnxruntime-web, as the element runs it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { normalize, preprocess } from '../src/model/preprocess.ts';
import { digitAt, drawDigit, loadMnistTest, placement, seededRandom } from './helpers/mnist.ts';

const modelDir = new URL('../../../model/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8'));

test('≥ 98% of 1,000 MNIST digits drawn off-centre at 6–10× scale are still classified correctly', async () => {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(
    new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir))),
  );
  const set = loadMnistTest();
  const rng = seededRandom(2026);
  const n = 1000;
  const input = new Float32Array(n * 784);
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const index = Math.floor(rng() * set.count);
    const digit = digitAt(set, index);
    const scale = 6 + rng() * 4;
    const { offsetX, offsetY } = placement(280, digit, scale, rng(), rng());
    const drawn = drawDigit(280, digit, scale, offsetX, offsetY, 'dark-on-light');
    const result = preprocess(drawn, { polarity: 'dark-on-light' });
    assert.equal(result.empty, false, `digit ${index} was taken for an empty drawing`);
    if (result.empty) return;
    normalize(result.pixels, meta.input.normalization, input.subarray(k * 784, (k + 1) * 784));
    labels.push(set.labels[index]);
  }
  const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, 28, 28]) }, [
    'probabilities',
  ]);
  const p = out.probabilities.data as Float32Array;
  let correct = 0;
  for (let k = 0; k < n; k++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[k * 10 + c] > p[k * 10 + best]) best = c;
    if (best === labels[k]) correct++;
  }
  console.log(`# drawn-and-preprocessed accuracy: ${((correct / n) * 100).toFixed(1)}% (${correct}/${n})`);
  assert.ok(correct / n >= 0.98, `only ${correct}/${n} correct`);
});
