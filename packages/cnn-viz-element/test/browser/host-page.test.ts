// <cnn-visualizer> the way host pages treat it (real Chromium, the real model, WebGL on SwiftShader):
// moved, removed and re-added, reconfigured after it started, authored in HTML, read through its
// public contract only (attributes, properties, methods, events, parts).
import { expect } from '@esm-bundle/chai';
import type { CnnVisualizer, PredictionDetail } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { checkConsolePerTest, make, MODEL_URL, next, record, stageCanvas, until } from './helpers/element.js';

checkConsolePerTest();

const sample = (label: number) => samplePixels(SAMPLE_DIGITS.find((s) => s.label === label)!);
const verdict = (el: CnnVisualizer) =>
  el.shadowRoot!.querySelector('cnn-prediction-chart')!.shadowRoot!.querySelector('.verdict')!.textContent ??
  '';
const narration = (el: CnnVisualizer) =>
  el.shadowRoot!.querySelector('cnn-narration-panel')?.shadowRoot!.textContent?.replace(/\s+/g, ' ') ?? '';

describe('a host page moves, removes and re-adds the element', () => {
  it('moving it to another container keeps its drawing and prediction, and it keeps working', async () => {
    const a = document.createElement('div');
    const b = document.createElement('div');
    document.body.append(a, b);
    try {
      const el = make({ loading: 'eager', tour: 'off' }, a);
      await el.ready;
      expect((await el.setInput(sample(3))).prediction).to.equal(3);
      const readies = record(el, ['cnn-ready']);
      b.appendChild(el); // a keyed reorder or an editor's drag and drop
      await el.updateComplete;
      expect(el.loaded).to.equal(true);
      expect(verdict(el)).to.contain('3');
      expect((await el.setInput(sample(7))).prediction).to.equal(7);
      await until(() => verdict(el).includes('7'), 'the verdict for the new input');
      expect(readies, 'a move does not reload').to.deep.equal([]);
    } finally {
      a.remove();
      b.remove();
    }
  });

  it('removing it releases its WebGL context within a second; re-adding starts again with the same drawing', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    await el.setInput(sample(5));
    const gl = stageCanvas(el).getContext('webgl2')!;
    el.remove();
    await new Promise((r) => setTimeout(r, 1000)); // a deadline: fires after the element's release timer
    expect(gl.isContextLost(), 'released within a second').to.equal(true);
    expect(el.loaded).to.equal(false);
    const prediction = next<PredictionDetail>(el, 'cnn-prediction');
    document.body.appendChild(el);
    await el.ready;
    expect((await prediction).detail.prediction, 'the kept drawing is classified again').to.equal(5);
    expect(stageCanvas(el).getContext('webgl2')!.isContextLost()).to.equal(false);
  });
});

describe('every attribute and property takes effect whenever it changes', () => {
  it('backend: from local to a custom object and back, classifying the current input each time', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    expect(el.activeBackend).to.equal('local');
    await el.setInput(sample(4));
    const real = (await import('../../src/index.js')).LocalOnnxBackend;
    const model = await (await fetch(MODEL_URL)).json();
    const inner = new real(model, {
      modelUrl: '/model/cnn.onnx',
      wasmPath: '/node_modules/onnxruntime-web/dist/',
    });
    let calls = 0;
    const prediction = next<PredictionDetail>(el, 'cnn-prediction');
    el.backend = {
      infer(pixels: Uint8Array) {
        calls++;
        return inner.infer(pixels);
      },
    };
    expect((await prediction).detail.prediction, 'the current input, classified by the new backend').to.equal(
      4,
    );
    expect(calls).to.equal(1);
    expect(el.activeBackend).to.equal('custom');
    el.setAttribute('backend', 'local');
    await next(el, 'cnn-ready');
    expect(el.activeBackend).to.equal('local');
    expect((await el.setInput(sample(6))).prediction).to.equal(6);
    expect(calls).to.equal(1);
    inner.dispose();
  });

  it('model-url: a new model is loaded and the current input classified with it', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    await el.setInput(sample(9));
    const seen = record(el, ['cnn-progress', 'cnn-ready', 'cnn-prediction']);
    el.setAttribute('model-url', `${MODEL_URL}?copy`);
    expect(el.loaded, 'loading the new model').to.equal(false);
    let resolved = false;
    void el.ready.then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved, 'ready waits for the new model').to.equal(false);
    await el.ready;
    await until(() => seen.some((e) => e.type === 'cnn-prediction'), 'the input classified again');
    expect(seen.map((e) => e.type)).to.include.members(['cnn-progress', 'cnn-ready', 'cnn-prediction']);
    const p = seen.find((e) => e.type === 'cnn-prediction')!.detail as PredictionDetail;
    expect(p.prediction).to.equal(9);
  });

  it('a broken model-url reports an error; fixing the attribute recovers', async () => {
    const el = make({ loading: 'eager', tour: 'off', 'model-url': '/missing/cnn.json' });
    const error = await next<{ type: string }>(el, 'cnn-error');
    expect(error.detail.type).to.equal('model');
    let rejected = false;
    await el.ready.catch(() => (rejected = true));
    expect(rejected, 'ready rejects while the model cannot load').to.equal(true);
    el.setAttribute('model-url', MODEL_URL);
    await el.ready;
    expect((await el.setInput(sample(1))).prediction).to.equal(1);
    // the 404 is logged by the browser itself
    const { expectConsoleErrors } = await import('./helpers/element.js');
    expectConsoleErrors(/404/);
  });

  it('wasm-path and encoding changes replace the backend; theme recolours the stage', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    await el.setInput(sample(0));
    const ready = next(el, 'cnn-ready');
    el.setAttribute('wasm-path', '/node_modules/onnxruntime-web/dist/?again');
    await ready;
    expect((await el.setInput(sample(3))).prediction).to.equal(3);
    const before = getComputedStyle(el).backgroundColor;
    el.setAttribute('theme', 'dark');
    await el.updateComplete;
    expect(getComputedStyle(el).backgroundColor).to.not.equal(before);
  });

  it('tour: off → auto shows the narration; loading: lazy → eager starts at once', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '4000px';
    document.body.prepend(spacer);
    try {
      const el = make({ tour: 'off' });
      await new Promise((r) => setTimeout(r, 300));
      expect(el.loaded, 'lazy and off screen: not started').to.equal(false);
      el.loading = 'eager';
      await el.ready;
      spacer.remove();
      await el.setInput(sample(2));
      expect(narration(el)).to.equal('');
      el.tour = 'manual';
      await until(() => narration(el).length > 0, 'the narration panel');
    } finally {
      spacer.remove();
    }
  });
});

describe('the public contract', () => {
  it('ready resolves when awaited long after loading; loaded; cnn-progress while loading', async () => {
    const el = document.createElement('cnn-visualizer');
    const progress = record(el, ['cnn-progress']);
    el.setAttribute('model-url', `${MODEL_URL}?progress`);
    el.setAttribute('wasm-path', '/node_modules/onnxruntime-web/dist/');
    el.loading = 'eager';
    expect(el.loaded).to.equal(false);
    document.body.appendChild(el);
    await next(el, 'cnn-ready');
    expect(el.loaded).to.equal(true);
    await new Promise((r) => setTimeout(r, 50));
    await el.ready; // long after cnn-ready
    const phases = new Set(progress.map((p) => (p.detail as { phase: string }).phase));
    expect([...phases]).to.include.members(['description', 'model']);
    for (const p of progress) {
      const d = p.detail as { loaded: number; total: number };
      expect(d.loaded).to.be.at.least(0);
      expect(d.loaded).to.be.at.most(d.total);
    }
  });

  it('cnn-input tells every change of input with its source; internal events stay inside', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    const inputs = record(el, ['cnn-input']);
    const leaked = record(document, ['cnn-draw-change', 'cnn-sample', 'cnn-tour-command']);
    await el.setInput(sample(4));
    el.shadowRoot!.querySelector('cnn-sample-digits')!.shadowRoot!.querySelector('button')!.click();
    await until(() => inputs.length >= 2, 'the sample input');
    el.clear();
    const sources = inputs.map((e) => (e.detail as { source: string }).source);
    expect(sources).to.deep.equal(['api', 'sample', 'clear']);
    const [api, , cleared] = inputs.map((e) => e.detail as { pixels: Uint8Array | null });
    expect(Array.from(api.pixels!)).to.deep.equal(Array.from(sample(4)));
    expect(cleared.pixels).to.equal(null);
    expect(leaked, 'internal events do not leave the shadow root').to.deep.equal([]);
  });

  it('cnn-step follows the tour; step="conv1" opens it there; backend="ws" is read as server', async () => {
    const el = make({ loading: 'eager', tour: 'manual', step: 'conv1' });
    const steps = record(el, ['cnn-step']);
    await el.ready;
    await el.setInput(sample(7));
    await until(() => steps.length > 0, 'a cnn-step event');
    expect(steps[steps.length - 1].detail).to.include({ id: 'conv1' });
    await until(() => narration(el).includes('Convolution'), 'the conv step narrated');
    el.step = 'verdict';
    await until(
      () => (steps[steps.length - 1].detail as { id: string }).id === 'verdict',
      'the verdict step',
    );
    const s = steps[steps.length - 1].detail as { index: number; title: string };
    expect(s.title).to.equal('The answer');
    expect(s.index).to.be.greaterThan(5);
  });

  it("a teacher's <cnn-step> children replace a step's words, also when edited later", async () => {
    const el = document.createElement('cnn-visualizer');
    el.innerHTML = `<cnn-step for="conv1" title="Filters, as in lecture 3">In our lecture we called these detectors.</cnn-step>`;
    el.setAttribute('model-url', MODEL_URL);
    el.setAttribute('wasm-path', '/node_modules/onnxruntime-web/dist/');
    el.setAttribute('loading', 'eager');
    el.setAttribute('tour', 'manual');
    el.setAttribute('step', 'conv1');
    document.body.appendChild(el);
    await el.ready;
    await el.setInput(sample(1));
    await until(
      () => narration(el).includes('In our lecture we called these detectors.'),
      'the teacher\u2019s words',
    );
    expect(narration(el)).to.contain('Filters, as in lecture 3');
    expect(el.getBoundingClientRect().height).to.be.greaterThan(100);
    el.querySelector('cnn-step')!.textContent = 'Edited in the page editor.';
    await until(() => narration(el).includes('Edited in the page editor.'), 'the edited words');
  });

  it('hide and digit make a figure of the network alone; parts are styleable from outside', async () => {
    const style = document.createElement('style');
    style.textContent = `cnn-visualizer::part(verdict) { letter-spacing: 3px; } cnn-visualizer::part(draw-pad-canvas) { outline: 5px solid rgb(1, 2, 3); }`;
    document.head.appendChild(style);
    try {
      const figure = make({ loading: 'eager', tour: 'off', hide: 'draw-pad,samples,chart', digit: '6' });
      const p = await next<PredictionDetail>(figure, 'cnn-prediction');
      expect(p.detail.prediction).to.equal(6);
      const root = figure.shadowRoot!;
      expect(root.querySelector('cnn-draw-pad')).to.equal(null);
      expect(root.querySelector('cnn-sample-digits')).to.equal(null);
      expect(root.querySelector('cnn-prediction-chart')).to.equal(null);
      expect(stageCanvas(figure).getBoundingClientRect().width).to.be.greaterThan(800);

      const full = make({ loading: 'eager', tour: 'off' });
      await full.ready;
      await full.setInput(sample(6));
      const chart = full.shadowRoot!.querySelector('cnn-prediction-chart')!.shadowRoot!;
      expect(getComputedStyle(chart.querySelector('[part="verdict"]')!).letterSpacing).to.equal('3px');
      const padCanvas = full.shadowRoot!.querySelector('cnn-draw-pad')!.shadowRoot!.querySelector('canvas')!;
      expect(getComputedStyle(padCanvas).outlineColor).to.equal('rgb(1, 2, 3)');
      full.setAttribute('digit', '5');
      await until(() => verdict(full).includes('5'), 'digit changed after start');
    } finally {
      style.remove();
    }
  });
});

describe('a figure set in HTML', () => {
  it('digit="4" written in the page shows the 4 on the draw pad as well as classifying it', async () => {
    const el = make({ loading: 'eager', tour: 'off', digit: '4' });
    const p = await next<PredictionDetail>(el, 'cnn-prediction');
    expect(p.detail.prediction).to.equal(4);
    const canvas = el.shadowRoot!.querySelector('cnn-draw-pad')!.shadowRoot!.querySelector('canvas')!;
    await until(() => {
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 128) ink++;
      return ink > 500;
    }, 'the 4 drawn on the pad');
  });
});
