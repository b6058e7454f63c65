// Occlusion saliency on the page's own backend, in real Chromium: LocalOnnxBackend.predictBatch runs
// every occluded copy in one session.run and answers exactly what infer() does, one at a time.
import { expect } from '@esm-bundle/chai';
import { occlusionSaliency } from '../../src/explain/saliency.js';
import { LocalOnnxBackend } from '../../src/inference/local-backend.js';
import type { ModelDescription } from '../../src/model/description.js';
import { SAMPLE_DIGITS } from '../../src/model/samples.js';

const digit = (label: number) =>
  Uint8Array.from(atob(SAMPLE_DIGITS.find((s) => s.label === label)!.pixels), (c) => c.charCodeAt(0));

let backend: LocalOnnxBackend;
before(async () => {
  const model: ModelDescription = await (await fetch('/model/cnn.json')).json();
  backend = new LocalOnnxBackend(model, {
    modelUrl: '/model/cnn.onnx',
    wasmPath: '/node_modules/onnxruntime-web/dist/',
  });
  await backend.load();
});
after(() => backend.dispose());

describe('LocalOnnxBackend.predictBatch and saliency', () => {
  it('classifies a batch in one run with the same probabilities as infer()', async () => {
    const batch = [3, 7, 8].map(digit);
    const probs = await backend.predictBatch(batch);
    expect(probs.length).to.equal(3);
    for (const [k, p] of probs.entries()) {
      const single = (await backend.infer(batch[k])).probabilities;
      for (let c = 0; c < 10; c++) expect(p[c]).to.be.closeTo(single[c], 1e-5);
      expect(p.indexOf(Math.max(...p))).to.equal([3, 7, 8][k]);
    }
  });

  it('saliency of a sample digit lies on its ink, for the predicted class, in one frame’s budget or so', async () => {
    const pixels = digit(7);
    const predict = backend.predictBatch.bind(backend);
    await occlusionSaliency(pixels, predict); // warm
    const t = performance.now();
    const r = await occlusionSaliency(pixels, predict);
    const ms = performance.now() - t;
    expect(r.classIndex).to.equal(7);
    expect(r.variants).to.be.greaterThan(20);
    let onInk = 0;
    let total = 0;
    for (let i = 0; i < 784; i++) {
      total += r.map[i];
      if (pixels[i] > 0) onInk += r.map[i];
    }
    expect(total).to.be.greaterThan(0);
    expect(onInk / total).to.be.greaterThan(0.7);
    console.log(`saliency in Chromium: ${ms.toFixed(1)} ms for ${r.variants} variants`);
  });
});
