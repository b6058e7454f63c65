// A teacher's own ONNX file at model-url, read in the page with no converter (real Chromium, the
// real onnxruntime-web): the layer list comes from the graph, every layer is drawn with one cube per
// activation, the answers equal those of the same weights described by cnn.json, and the numbers
// explain themselves from the file's own weights. A file that is not a model says so.
import { expect } from '@esm-bundle/chai';
import type { PredictionDetail } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { checkConsolePerTest, expectConsoleErrors, make, MODEL_URL, next } from './helpers/element.js';

checkConsolePerTest();

describe('your own model at model-url', () => {
  it('an .onnx file read in the page (as a blob URL, the way the site reads a dropped file) classifies like its description', async () => {
    const bytes = await (await fetch('/model/cnn.onnx')).arrayBuffer();
    const blobUrl = URL.createObjectURL(new Blob([bytes]));
    // trained on MNIST's normalisation: the teacher says so (an .onnx alone defaults to pixel / 255)
    const own = make({ loading: 'eager', tour: 'off', 'model-url': blobUrl, normalization: 'mnist' });
    const described = make({ loading: 'eager', tour: 'off', 'model-url': MODEL_URL });
    const ready = await next<{ model: { layers: { name: string; shape: number[] }[] } }>(own, 'cnn-ready');
    await described.ready;
    const layers = ready.detail.model.layers;
    const json = await (await fetch(MODEL_URL)).json();
    expect(layers.map((l) => l.shape)).to.deep.equal(json.layers.map((l: { shape: number[] }) => l.shape));
    for (const sample of SAMPLE_DIGITS.slice(0, 4)) {
      const p = next<PredictionDetail>(own, 'cnn-prediction');
      const [a, b] = await Promise.all([
        own.setInput(samplePixels(sample)),
        described.setInput(samplePixels(sample)),
      ]);
      const { detail } = await p;
      expect(detail.prediction).to.equal(sample.label);
      for (const [i, l] of detail.activations.layers.entries())
        expect(l.data.length, `layer ${l.name}: one cube per activation`).to.equal(
          layers[i].shape.reduce((x, y) => x * y, 1),
        );
      for (let k = 0; k < 10; k++) expect(a.probabilities[k]).to.be.closeTo(b.probabilities[k], 1e-6);
    }
    const e = await own.explain(layers[1].name, 100);
    expect(e.operation).to.equal('conv');
    expect(e.inputs.values.reduce((s, v, i) => s + v * e.weights![i], e.bias!)).to.be.closeTo(e.value, 1e-4);
    URL.revokeObjectURL(blobUrl);
  });

  it('a file that is not a model gives cnn-error { type: "model" } in words, not a blank view', async () => {
    const blobUrl = URL.createObjectURL(new Blob([new Uint8Array([8, 7, 18, 3, 1, 2, 3, 250, 250])]));
    const el = make({ loading: 'eager', tour: 'off', 'model-url': blobUrl });
    const err = await next<{ type: string; message: string }>(el, 'cnn-error');
    expect(err.detail.type).to.equal('model');
    expect(err.detail.message).to.match(/Could not load the model/);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('Could not load');
    expectConsoleErrors(/./);
    URL.revokeObjectURL(blobUrl);
  });
});
