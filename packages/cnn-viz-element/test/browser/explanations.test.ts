// Every number explains itself, in real Chromium: explain() for a cube of every layer kind of the
// shipped model against a recomputation from the ONNX file's own weights (decoded here with
// onnx-proto, not the element's reader), saliency on the ink, the legend's real numbers, a tap on a
// phone, keyboard stepping with a live region, and a wheel that leaves the page's scrolling alone.
import { expect } from '@esm-bundle/chai';
import { setViewport } from '@web/test-runner-commands';
import onnxProto from 'onnx-proto';
import type { CnnVisualizer, PredictionDetail } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { checkConsolePerTest, inkedFraction, make, next, stageCanvas, until } from './helpers/element.js';

checkConsolePerTest();

type Weights = Map<string, { dims: number[]; data: Float32Array }>;
let weights: Weights;
before(async () => {
  const bytes = new Uint8Array(await (await fetch('/model/cnn.onnx')).arrayBuffer());
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  weights = new Map();
  for (const t of m.graph!.initializer!) {
    const raw = t.rawData!;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true);
    weights.set(t.name!, { dims: (t.dims ?? []).map(Number), data });
  }
});

const sample = (label: number) => samplePixels(SAMPLE_DIGITS.find((s) => s.label === label)!);

async function classified(el: CnnVisualizer, label: number): Promise<PredictionDetail> {
  await el.ready;
  const p = next<PredictionDetail>(el, 'cnn-prediction');
  await el.setInput(sample(label));
  return (await p).detail;
}

describe('explain() for every layer kind, recomputed from the ONNX weights', () => {
  it('input, conv, relu, maxpool, flatten, dense, softmax', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    const { activations } = await classified(el, 3);
    const data = (name: string) => activations.layers.find((l) => l.name === name)!.data;
    const input = data('input');

    // input: the pixel's ink and its normalised value
    const px = sample(3);
    const centre = 14 * 28 + 14;
    const ein = (await el.explain('input', centre)) as unknown as { ink: number; value: number };
    expect(ein.ink).to.equal(px[centre]);
    expect(ein.value).to.be.closeTo((px[centre] / 255 - 0.1307) / 0.3081, 1e-4);

    // conv1 channel 2, row 9, column 11: Σ patch × kernel + bias, padding 2
    const W = weights.get('conv1.weight')!.data;
    const B = weights.get('conv1.bias')!.data;
    const [c, r, q] = [2, 9, 11];
    let sum = B[c];
    let taps = 0;
    for (let ky = 0; ky < 5; ky++)
      for (let kx = 0; kx < 5; kx++) {
        const y = r + ky - 2;
        const x = q + kx - 2;
        if (y < 0 || y > 27 || x < 0 || x > 27) continue;
        sum += input[y * 28 + x] * W[c * 25 + ky * 5 + kx];
        taps++;
      }
    const conv = await el.explain('conv1', c * 784 + r * 28 + q);
    expect(conv.operation).to.equal('conv');
    expect(conv.value).to.be.closeTo(sum, 1e-4);
    expect(conv.value).to.be.closeTo(data('conv1')[c * 784 + r * 28 + q], 1e-4);
    expect(conv.inputs.values).to.have.length(taps);
    const dot = conv.inputs.values.reduce((a, v, i) => a + v * conv.weights![i], conv.bias!);
    expect(dot).to.be.closeTo(conv.value, 1e-4);

    // a corner cube: the padded positions are left out
    const corner = await el.explain('conv1', 0);
    expect(corner.inputs.indices).to.have.length(9);

    // relu: max(0, z)
    const z = data('conv1')[5 * 784 + 300];
    const relu = await el.explain('relu1', 5 * 784 + 300);
    expect(relu.value).to.equal(Math.max(0, z));

    // maxpool: the largest of its 2×2 window
    const pool = await el.explain('pool1', 1 * 196 + 7 * 14 + 4);
    const r1 = data('relu1');
    const win = [0, 1].flatMap((dy) => [0, 1].map((dx) => r1[1 * 784 + (14 + dy) * 28 + 8 + dx]));
    expect(pool.value).to.equal(Math.max(...win));
    expect(pool.inputs.values.slice().sort()).to.deep.equal(win.slice().sort());

    // flatten: the same number
    const flat = await el.explain('flatten', 123);
    expect(flat.value).to.equal(data('pool2')[123]);

    // dense fc1 unit 17: every one of the 400 inputs
    const Wd = weights.get('fc1.weight')!.data;
    const bd = weights.get('fc1.bias')!.data;
    const f = data('flatten');
    let dsum = bd[17];
    for (let i = 0; i < 400; i++) dsum += f[i] * Wd[17 * 400 + i];
    const dense = await el.explain('fc1', 17);
    expect(dense.inputs.indices).to.have.length(400);
    expect(dense.value).to.be.closeTo(dsum, 1e-3);

    // softmax: e^z / Σ e^z
    const scores = data('fc3');
    const e = Array.from(scores, (s) => Math.exp(s));
    const total = e.reduce((a, b) => a + b, 0);
    const soft = await el.explain('probabilities', 3);
    expect(soft.value).to.be.closeTo(e[3] / total, 1e-5);
    expect(soft.inputs.values).to.have.length(10);
  });
});

describe('explanations on screen', () => {
  it('a hovered cube opens part="explanation" and the legend shows that layer\u2019s real range', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    const { activations } = await classified(el, 7);
    const canvas = stageCanvas(el);
    await until(() => inkedFraction(canvas) > 0.1, 'the network drawn');
    // find a cube by scanning the stage with synthetic mouse moves until the view picks one
    const box = canvas.getBoundingClientRect();
    let picked = false;
    for (let fy = 0.3; fy < 0.8 && !picked; fy += 0.1)
      for (let fx = 0.2; fx < 0.8 && !picked; fx += 0.05) {
        canvas.dispatchEvent(
          new PointerEvent('pointermove', {
            clientX: box.left + fx * box.width,
            clientY: box.top + fy * box.height,
            pointerType: 'mouse',
            bubbles: true,
            composed: true,
          }),
        );
        // the explanation arrives when the weights and its code have loaded: wait for it a while
        picked = await until(
          () => !!el.shadowRoot!.querySelector('[part="explanation"]'),
          'an explanation',
          3000,
        )
          .then(() => true)
          .catch(() => false);
      }
    expect(picked, 'an explanation opened over some cube').to.equal(true);
    await until(
      () => !!el.shadowRoot!.querySelector('[part="explanation"]')!.shadowRoot?.textContent?.includes('='),
      'the arithmetic',
    );
    const legend = el.shadowRoot!.querySelector('[part="legend"]')!;
    const layer = legend.querySelector('strong')!.textContent!;
    const values = activations.layers.find((l) => l.name === layer)!.data;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const ticks = Array.from(legend.querySelectorAll('.legend-ticks span'), (s) =>
      s.textContent!.replace('−', '-'),
    );
    const printed = ticks.map(Number);
    if (layer === 'input') {
      expect(printed).to.include(0);
      expect(Math.max(...printed)).to.equal(255);
    } else {
      // 3 significant digits, rounded to nearest
      expect(Math.min(...printed)).to.be.closeTo(min, Math.abs(min) * 0.006 + 1e-9);
      expect(Math.max(...printed)).to.be.closeTo(max, Math.abs(max) * 0.006 + 1e-9);
    }
  });

  it('on a 390×844 phone a tap on a cube opens the explanation', async () => {
    await setViewport({ width: 390, height: 844 });
    try {
      const el = make({ loading: 'eager', tour: 'off' });
      el.style.width = '390px';
      await classified(el, 4);
      const canvas = stageCanvas(el);
      canvas.scrollIntoView({ block: 'center' });
      await until(() => inkedFraction(canvas) > 0.1, 'the network drawn');
      const box = canvas.getBoundingClientRect();
      let opened = false;
      for (let fx = 0.15; fx < 0.6 && !opened; fx += 0.05) {
        const at = { clientX: box.left + fx * box.width, clientY: box.top + 0.5 * box.height };
        const init = { ...at, pointerType: 'touch', isPrimary: true, bubbles: true, composed: true };
        canvas.dispatchEvent(new PointerEvent('pointerdown', init));
        canvas.dispatchEvent(new PointerEvent('pointerup', init));
        opened = await until(
          () => !!el.shadowRoot!.querySelector('[part="explanation"]'),
          'an explanation',
          3000,
        )
          .then(() => true)
          .catch(() => false);
      }
      expect(opened).to.equal(true);
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('the keyboard steps through cubes and a live region says how each was computed', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await classified(el, 2);
    const canvas = stageCanvas(el);
    canvas.focus();
    const key = (k: string) =>
      canvas.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }));
    const live = () =>
      el.shadowRoot!.querySelector('[aria-live="polite"].visually-hidden')!.textContent ?? '';
    key('Enter');
    await until(() => live().includes('conv1'), 'the first cube announced');
    const first = live();
    key('ArrowRight');
    await until(() => live() !== first, 'the next cube announced');
    expect(live()).to.match(/conv1, channel 0, row 0, column 1: Σ patch × kernel \+ bias/);
    key('PageDown');
    await until(() => live().startsWith('relu1'), 'the next layer');
    expect(live()).to.contain('max(0,');
    key('Escape');
    await until(() => !el.shadowRoot!.querySelector('[part="explanation"]'), 'the panel closed');
  });

  it('saliency lies on and around the ink; the toggle shows it on the pad', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await classified(el, 5);
    const map = await el.saliency();
    expect(map).to.have.length(784);
    const ink = sample(5);
    let near = 0;
    let total = 0;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = map[y * 28 + x];
        total += v;
        let close = false;
        for (let dy = -2; dy <= 2 && !close; dy++)
          for (let dx = -2; dx <= 2 && !close; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            close = yy >= 0 && yy < 28 && xx >= 0 && xx < 28 && ink[yy * 28 + xx] > 64;
          }
        if (close) near += v;
      }
    expect(total).to.be.greaterThan(0);
    expect(near / total, 'share of saliency within 2 px of ink').to.be.greaterThan(0.7);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="saliency-button"]')!.click();
    const overlay = el
      .shadowRoot!.querySelector('cnn-draw-pad')!
      .shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
    await until(() => {
      const d = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    }, 'the glow over the pad');
    expect(el.showSaliency).to.equal(true);
  });

  it('the wheel is left to the page; ctrl + wheel zooms the view', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await classified(el, 9);
    const canvas = stageCanvas(el);
    await until(() => inkedFraction(canvas) > 0.1, 'the network drawn');
    const before = inkedFraction(canvas);
    const plain = new WheelEvent('wheel', { deltaY: 200, bubbles: true, cancelable: true, composed: true });
    canvas.dispatchEvent(plain);
    expect(plain.defaultPrevented, 'a plain wheel scrolls the page').to.equal(false);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    expect(inkedFraction(canvas), 'the view did not zoom').to.be.closeTo(before, 0.01);
    await until(() => !!el.shadowRoot!.querySelector('.hint'), 'the zoom hint');
    const zoom = new WheelEvent('wheel', {
      deltaY: 300,
      ctrlKey: true,
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    canvas.dispatchEvent(zoom);
    expect(zoom.defaultPrevented, 'ctrl + wheel is the view\u2019s').to.equal(true);
    await until(() => inkedFraction(canvas) < before - 0.02, 'the view zoomed out');
  });
});
