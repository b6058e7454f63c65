// "Watch it learn" in real Chromium: the shipped LeNet-5 with its training checkpoints (model/cnn.json
// lists them), run by onnxruntime-web in the page. Expected probabilities come from onnxruntime run
// directly on the checkpoint files here, not from the element.
import { expect } from '@esm-bundle/chai';
import * as ort from 'onnxruntime-web/wasm';
import type { CnnVisualizer, PredictionDetail } from '../../src/index.js';
import type { ModelDescription } from '../../src/model/description.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { checkConsolePerTest, make, MODEL_URL, next, until, WASM_PATH } from './helpers/element.js';

ort.env.wasm.wasmPaths = { wasm: `${WASM_PATH}ort-wasm-simd-threaded.wasm` };
ort.env.wasm.numThreads = 1;

const sample = SAMPLE_DIGITS.find((s) => s.label === 7)!;
const pixels = samplePixels(sample);
let description: ModelDescription;

/** What onnxruntime itself answers for `file` on these pixels, normalised as cnn.json says. */
async function ortProbabilities(file: string): Promise<Float32Array> {
  const n = description.input.normalization;
  const input = Float32Array.from(pixels, (p) => (p / 255 - n.mean) / n.std);
  const session = await ort.InferenceSession.create(`/model/${file}`);
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 1, 28, 28]) }, [
    'probabilities',
  ]);
  await session.release();
  return out.probabilities.data as Float32Array;
}

const checkpointFetches = () =>
  performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => u.includes('/checkpoints/'));

const panel = (el: CnnVisualizer) => el.shadowRoot!.querySelector('cnn-training-panel');
const slider = (el: CnnVisualizer) =>
  panel(el)?.shadowRoot?.querySelector<HTMLInputElement>('input[type="range"]') ?? null;

/** Moves the slider the way a reader does (the range input's own `input` event). */
function scrub(el: CnnVisualizer, index: number) {
  const s = slider(el)!;
  s.value = String(index);
  s.dispatchEvent(new Event('input', { bubbles: true }));
}

async function classified(el: CnnVisualizer): Promise<PredictionDetail> {
  const result = next<PredictionDetail>(el, 'cnn-prediction', 60_000);
  await el.ready;
  void el.setInput(pixels);
  return (await result).detail;
}

before(async () => {
  description = await (await fetch(MODEL_URL)).json();
  expect(description.checkpoints?.length, 'cnn.json lists checkpoints').to.be.greaterThan(2);
});

describe('watch it learn: the training slider', () => {
  checkConsolePerTest();

  it('is shown for a model with checkpoints, at the shipped moment, with no checkpoint file fetched', async () => {
    performance.clearResourceTimings();
    const el = make({ loading: 'eager', tour: 'off' });
    const shown = await classified(el);
    expect(shown.prediction).to.equal(7);
    await until(() => slider(el) !== null, 'the training slider');
    const c = description.checkpoints!;
    expect(slider(el)!.max).to.equal(String(c.length - 1));
    expect(slider(el)!.value).to.equal(String(c.length - 1));
    expect(panel(el)!.shadowRoot!.textContent).to.contain('99.41%');
    // the first layer's 6 filters, drawn as images
    await until(() => panel(el)!.shadowRoot!.querySelectorAll('canvas').length === 6, 'six kernel images');
    expect(checkpointFetches()).to.deep.equal([]);
  });

  it('the first moment answers as onnxruntime does on that file, right no more often than chance; the last restores the answer', async () => {
    performance.clearResourceTimings();
    const el = make({ loading: 'eager', tour: 'off' });
    const trained = await classified(el);
    await until(() => slider(el) !== null, 'the training slider');
    expect(checkpointFetches()).to.deep.equal([]);

    const c = description.checkpoints!;
    const moved = next<{ index: number; testAccuracy: number }>(el, 'cnn-checkpoint');
    let result = next<PredictionDetail>(el, 'cnn-prediction', 60_000);
    scrub(el, 0);
    expect((await moved).detail).to.include({ index: 0, step: 0, testAccuracy: c[0].testAccuracy });
    const early = (await result).detail;
    expect(el.checkpoint).to.equal(0);
    // that moment's file, fetched once (the backend and the filters share it) and only now
    await until(() => panel(el)!.shadowRoot!.querySelectorAll('canvas').length === 6, 'its filters');
    expect(checkpointFetches().map((u) => u.split('/').pop())).to.deep.equal([c[0].onnx.split('/').pop()]);
    const expected = await ortProbabilities(c[0].onnx);
    for (let k = 0; k < 10; k++) expect(early.probabilities[k]).to.be.closeTo(expected[k], 1e-5);
    // random weights: right no more often than chance on the ten shipped digits (onnxruntime agrees above)
    let right = 0;
    for (const d of SAMPLE_DIGITS) if ((await el.setInput(samplePixels(d))).prediction === d.label) right++;
    expect(right, 'digits right before training').to.be.at.most(2);
    await el.setInput(pixels);

    result = next<PredictionDetail>(el, 'cnn-prediction', 60_000);
    scrub(el, c.length - 1);
    const back = (await result).detail;
    expect(back.prediction).to.equal(7);
    for (let k = 0; k < 10; k++) expect(back.probabilities[k]).to.be.closeTo(trained.probabilities[k], 1e-6);
  });

  it('the checkpoint attribute chooses a moment, and explanations use that moment’s weights', async () => {
    const el = make({ loading: 'eager', tour: 'off', checkpoint: '2' });
    const c = description.checkpoints!;
    // the very first answer is already that moment's (no flash of the shipped model's answer)
    const expected = await ortProbabilities(c[2].onnx);
    let shown = await classified(el);
    for (let k = 0; k < 10; k++) expect(shown.probabilities[k]).to.be.closeTo(expected[k], 1e-5);
    // a conv cube's arithmetic, with checkpoint 2's weights, gives the value onnxruntime computed
    const conv1 = shown.activations.layers.find((l) => l.name === 'conv1')!;
    const index = 14 * 28 + 14;
    const ex = await el.explain('conv1', index);
    expect(ex.weights?.length, 'the explanation lists its weights').to.equal(ex.inputs.values.length);
    let sum = ex.bias ?? 0;
    ex.inputs.values.forEach((v, i) => (sum += v * ex.weights![i]));
    expect(sum).to.be.closeTo(conv1.data[index], 1e-3);

    // and changing it later moves the slider and the answer
    const moved = next<PredictionDetail>(el, 'cnn-prediction', 60_000);
    el.checkpoint = c.length - 1;
    shown = (await moved).detail;
    expect(shown.prediction).to.equal(7);
    await until(() => slider(el)?.value === String(c.length - 1), 'the slider at the last moment');
  });

  it('the tour’s closing step plays every moment on the reader’s drawing, ending on the shipped model', async () => {
    const el = make({ loading: 'eager', tour: 'manual', step: 'verdict' });
    const seen: number[] = [];
    el.addEventListener('cnn-checkpoint', (e) => seen.push(e.detail.index));
    await classified(el);
    const narration = () => el.shadowRoot!.querySelector('cnn-narration-panel')?.shadowRoot ?? null;
    await until(() => /The answer/.test(narration()?.textContent ?? ''), 'the verdict step');
    const play = [...narration()!.querySelectorAll('button')].find((b) => /Play/.test(b.textContent!))!;
    play.click();
    await until(() => /How did it learn this/.test(narration()?.textContent ?? ''), 'the closing step');
    expect(narration()!.textContent).to.contain('10% → 22%'); // the first moments' accuracies, in words
    const n = description.checkpoints!.length;
    await until(() => seen.length === n, `${n} moments played`, 90_000);
    expect(seen).to.deep.equal([...Array(n).keys()]);
    await until(
      () => el.checkpoint === n - 1 && slider(el)?.value === String(n - 1),
      'the shipped model again',
    );
  });

  it('a model without checkpoints (an .onnx given directly) shows no slider', async () => {
    const el = make({
      loading: 'eager',
      tour: 'off',
      'model-url': '/model/cnn.onnx',
      normalization: 'mnist',
    });
    const shown = await classified(el);
    expect(shown.prediction).to.equal(7);
    expect(panel(el)).to.equal(null);
  });
});
