// <cnn-visualizer> as a page author and a reader meet it, in real Chromium: real mouse strokes (sent
// through Playwright), the real model run by onnxruntime-web, real WebGL on SwiftShader.
import { expect } from '@esm-bundle/chai';
import { resetMouse } from '@web/test-runner-commands';
import type { CnnVisualizer, PredictionDetail } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { drawStrokes } from './helpers/draw.js';
import { checkConsolePerTest, expectConsoleErrors, make, MODEL_URL, next, until } from './helpers/element.js';

checkConsolePerTest();

/** The prediction once the drawing has settled: the last cnn-prediction after 400 ms of quiet. */
function track(el: CnnVisualizer) {
  let latest: PredictionDetail | undefined;
  let at = 0;
  el.addEventListener('cnn-prediction', (e) => {
    latest = (e as CustomEvent<PredictionDetail>).detail;
    at = performance.now();
  });
  return async (): Promise<PredictionDetail> => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (latest && performance.now() - at > 400) return latest;
    }
  };
}

afterEach(async () => {
  await resetMouse();
});

describe('<cnn-visualizer>', () => {
  it('renders a draw pad, a 3D stage, the prediction and samples, and fires cnn-ready', async () => {
    const el = make({ loading: 'eager' });
    const ready = await next<{ backend: string }>(el, 'cnn-ready');
    expect(ready.detail.backend).to.equal('local');
    const root = el.shadowRoot!;
    expect(root.querySelector('[part="draw-pad"]')).to.not.equal(null);
    expect(root.querySelector('canvas[part="stage"]')).to.not.equal(null);
    expect(root.querySelector('[part="prediction"]')).to.not.equal(null);
    expect(root.querySelectorAll('cnn-sample-digits')).to.have.length(1);
  });

  it('classifies digits drawn with the mouse, and the pad strokes become a centred 28×28 input', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await next(el, 'cnn-ready');
    const settled = track(el);
    // a "7": a bar across the top, then a long diagonal down to the left
    await drawStrokes(el, [
      [
        [0.25, 0.2],
        [0.75, 0.2],
        [0.42, 0.85],
      ],
    ]);
    const detail = await settled();
    expect(detail.prediction).to.equal(7);
    // the input: 784 bytes, ink present, centre of mass at the centre (MNIST's format)
    const px = detail.pixels;
    expect(px.length).to.equal(784);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < 784; i++) {
      mass += px[i];
      cx += px[i] * ((i % 28) + 0.5);
      cy += px[i] * (Math.floor(i / 28) + 0.5);
    }
    expect(mass).to.be.greaterThan(255 * 40);
    expect(Math.abs(cx / mass - 14)).to.be.lessThan(1);
    expect(Math.abs(cy / mass - 14)).to.be.lessThan(1);
    // the top rows of the ink are the bar: the widest row is in the upper half
    const rows = Array.from(
      { length: 28 },
      (_, y) => px.slice(y * 28, y * 28 + 28).filter((v) => v > 128).length,
    );
    expect(rows.indexOf(Math.max(...rows))).to.be.lessThan(14);
    expect(el.shadowRoot!.querySelector('cnn-prediction-chart')!.shadowRoot!.textContent).to.contain('7');
  });

  it('a "1" and a "0" drawn with the mouse are recognised', async function () {
    this.timeout(180_000);
    const el = make({ loading: 'eager', tour: 'off' });
    await next(el, 'cnn-ready');
    const settled = track(el);
    await drawStrokes(el, [
      [
        [0.52, 0.15],
        [0.48, 0.85],
      ],
    ]);
    expect((await settled()).prediction).to.equal(1);
    el.clear();
    const ring: [number, number][] = Array.from({ length: 25 }, (_, i) => {
      const a = (i / 24) * Math.PI * 2;
      return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)];
    });
    await drawStrokes(el, [ring], 1);
    expect((await settled()).prediction).to.equal(0);
  });

  it('the local backend predicts the shipped MNIST samples correctly; events carry every layer', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await next(el, 'cnn-ready');
    const model = await (await fetch(MODEL_URL)).json();
    for (const sample of SAMPLE_DIGITS) {
      const event = next<PredictionDetail>(el, 'cnn-prediction');
      const acts = await el.setInput(samplePixels(sample));
      expect(acts.prediction, `sample ${sample.label}`).to.equal(sample.label);
      const { detail } = await event;
      expect(detail.prediction).to.equal(sample.label);
      expect(detail.activations.layers.map((l) => l.name)).to.deep.equal(
        model.layers.map((l: { name: string }) => l.name),
      );
      for (const [i, l] of detail.activations.layers.entries())
        expect(l.data.length).to.equal(model.layers[i].shape.reduce((a: number, b: number) => a * b, 1));
      const sum = detail.probabilities.reduce((a, b) => a + b, 0);
      expect(sum).to.be.closeTo(1, 1e-4);
    }
  });

  it('clearing gives the "nothing drawn" state, not a prediction', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await next(el, 'cnn-ready');
    await el.setInput(samplePixels(SAMPLE_DIGITS[3]));
    el.clear();
    const chart = el.shadowRoot!.querySelector('cnn-prediction-chart')!;
    await until(() => chart.shadowRoot!.textContent!.includes('Draw a digit'), 'the empty state');
  });

  it('a custom backend object assigned to el.backend is used', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await next(el, 'cnn-ready');
    const model = await (await fetch(MODEL_URL)).json();
    let calls = 0;
    el.backend = {
      async infer(pixels: Uint8Array) {
        calls++;
        const layers = model.layers.map((l: { name: string; kind: never; shape: number[] }) => ({
          ...l,
          data: new Float32Array(l.shape.reduce((a, b) => a * b, 1)),
        }));
        const probabilities = layers[layers.length - 1].data;
        probabilities[4] = 1;
        expect(pixels.length).to.equal(784);
        return { layers, probabilities, prediction: 4 };
      },
    };
    await el.updateComplete;
    const acts = await el.setInput(samplePixels(SAMPLE_DIGITS[9]));
    expect(calls).to.equal(1);
    expect(acts.prediction).to.equal(4);
    expect(el.activeBackend).to.equal('custom');
  });

  it('reports a broken model URL with cnn-error and a readable message', async () => {
    const el = make({ loading: 'eager', 'model-url': '/nope/cnn.json' });
    const err = await next<{ type: string; message: string }>(el, 'cnn-error');
    expect(err.detail.type).to.equal('model');
    expect(err.detail.message).to.match(/404/);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('Could not load');
    expectConsoleErrors(/404/); // the browser logs the 404 itself
  });

  it('loading="lazy" offscreen creates no WebGL context and fetches no model until scrolled into view', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '5000px';
    document.body.appendChild(spacer);
    const fetched: string[] = [];
    const origFetch = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      fetched.push(String(input));
      return origFetch(input, init);
    };
    const origGetContext = HTMLCanvasElement.prototype.getContext;
    let webgl = 0;
    HTMLCanvasElement.prototype.getContext = function (
      this: HTMLCanvasElement,
      type: string,
      ...rest: unknown[]
    ) {
      if (type.startsWith('webgl')) webgl++;
      return (origGetContext as (...a: unknown[]) => unknown).call(this, type, ...rest);
    } as typeof origGetContext;
    try {
      // a model URL no other test used, so the shared description cache cannot hide the fetch
      const el = make({ 'model-url': `${MODEL_URL}?lazy` });
      await new Promise((r) => setTimeout(r, 800));
      expect(webgl).to.equal(0);
      expect(fetched.filter((u) => u.includes('cnn.'))).to.deep.equal([]);
      const ready = next(el, 'cnn-ready');
      el.scrollIntoView();
      await ready;
      expect(webgl).to.be.greaterThan(0);
      expect(fetched.some((u) => u.includes('cnn.json'))).to.equal(true);
    } finally {
      window.fetch = origFetch;
      HTMLCanvasElement.prototype.getContext = origGetContext;
      spacer.remove();
      window.scrollTo(0, 0);
    }
  });

  it('two elements on one page both work, and removing one frees its WebGL context', async () => {
    const a = make({ loading: 'eager', tour: 'off' });
    const b = make({ loading: 'eager', tour: 'off', theme: 'dark' });
    await Promise.all([next(a, 'cnn-ready'), next(b, 'cnn-ready')]);
    const [ra, rb] = await Promise.all([
      a.setInput(samplePixels(SAMPLE_DIGITS[2])),
      b.setInput(samplePixels(SAMPLE_DIGITS[5])),
    ]);
    expect(ra.prediction).to.equal(2);
    expect(rb.prediction).to.equal(5);
    const canvas = a.shadowRoot!.querySelector<HTMLCanvasElement>('canvas[part="stage"]')!;
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
    expect(gl.isContextLost()).to.equal(false);
    a.remove();
    // a deadline, not a sleep: a timer set now fires after the element's own release timer, however
    // busy the machine is, so this checks "released within a second" of the page's own clock
    await new Promise((r) => setTimeout(r, 1000));
    expect(gl.isContextLost(), 'the removed element released its context within a second').to.equal(true);
    // the other one keeps working
    expect((await b.setInput(samplePixels(SAMPLE_DIGITS[8]))).prediction).to.equal(8);
  });
});
