// A teacher's own ONNX file at model-url, read in the page with no converter (real Chromium, the
// real onnxruntime-web): the layer list comes from the graph, every layer is drawn with one cube per
// activation, the answers equal those of the same weights described by cnn.json, and the numbers
// explain themselves from the file's own weights. A file that is not a model says so.
import { expect } from '@esm-bundle/chai';
import { resetMouse } from '@web/test-runner-commands';
import * as ort from 'onnxruntime-web/wasm';
import type { CnnVisualizer, InputDetail, PredictionDetail } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import type { NetworkView } from '../../src/render/network-view.js';
import { probe } from '../../src/render/view-probe.js';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { kerasLike, lenet, paddedPools, smallVgg, type TestModel } from '../helpers/onnx-models.ts';
import { drawStrokes, padCanvas } from './helpers/draw.js';
import {
  checkConsolePerTest,
  expectConsoleErrors,
  make,
  MODEL_URL,
  next,
  record,
  until,
} from './helpers/element.js';

checkConsolePerTest();
afterEach(async () => {
  await resetMouse();
});

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

  it('a model too large to draw says so with cnn-error { type: "model" }, before any other download or WebGL context', async () => {
    // 32·32 + 2 · 160·32·32 + 2 + 2 = 328,708 cubes: over the 150,000 the view draws
    const maps = 160;
    const description = {
      name: 'too-big',
      onnx: '/never/fetched.onnx',
      classes: ['a', 'b'],
      input: { name: 'input', shape: [1, 32, 32], normalization: { scale: 1 / 255, mean: 0, std: 1 } },
      layers: [
        { name: 'input', kind: 'input', shape: [1, 32, 32] },
        { name: 'conv', kind: 'conv', from: 'input', shape: [maps, 32, 32] },
        { name: 'flatten', kind: 'flatten', from: 'conv', shape: [maps * 32 * 32] },
        { name: 'scores', kind: 'dense', from: 'flatten', shape: [2] },
        { name: 'probabilities', kind: 'softmax', from: 'scores', shape: [2] },
      ],
    };
    const url = URL.createObjectURL(new Blob([JSON.stringify(description)], { type: 'application/json' }));
    performance.clearResourceTimings();
    const el = make({ loading: 'eager', tour: 'off', 'model-url': url });
    const err = await next<{ type: string; message: string }>(el, 'cnn-error');
    expect(err.detail.type).to.equal('model');
    expect(err.detail.message).to.match(
      /^Too large to draw: this model has 328,708 activations.*150,000.*conv 160×32×32/,
    );
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('Too large to draw');
    const fetched = performance.getEntriesByType('resource').map((e) => e.name);
    expect(fetched.filter((u) => /\.onnx|ort-wasm/.test(u))).to.deep.equal([]);
    URL.revokeObjectURL(url);
  });
});

/** A colour 28×28 model ending in logits: Conv, Relu, MaxPool, Flatten, Gemm (shapes by hand). */
function colour28(): TestModel {
  const b = new OnnxBuilder({ channels: 3, size: 28, seed: 13 });
  b.conv(4, 3, { pad: 1 }).act('Relu').pool('MaxPool', 2).flatten().gemm(10);
  return {
    name: 'colour-28',
    input: [3, 28, 28],
    builder: b,
    bytes: b.build(),
    scores: 'logits',
    expected: [
      ['conv', [4, 28, 28]],
      ['relu', [4, 28, 28]],
      ['maxpool', [4, 14, 14]],
      ['flatten', [784]],
      ['dense', [10]],
    ],
  };
}

/** What the page tells the element about each model, and the same normalisation written out here. */
interface Case {
  model: TestModel;
  attrs: Record<string, string>;
  mean: number[];
  std: number[];
  dark: boolean;
}

const cases = (): Case[] => [
  // 1×28×28 with Softmax: the MNIST-style path (centred by mass)
  { model: lenet(), attrs: { normalization: 'mnist' }, mean: [0.1307], std: [0.3081], dark: false },
  // 1×32×32 with Softmax, the default normalisation (pixel / 255)
  { model: paddedPools(), attrs: {}, mean: [0], std: [1], dark: false },
  // 3×32×32 ending in logits, per-channel normalisation
  {
    model: smallVgg(),
    attrs: { normalization: '0.4914,0.4822,0.4465/0.247,0.243,0.261' },
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.243, 0.261],
    dark: false,
  },
  // 3×28×28 ending in logits
  { model: colour28(), attrs: {}, mean: [0], std: [1], dark: false },
  // 1×28×28 ending in LogSoftmax, batch fixed at 1, trained on dark ink, normalised to −1…1
  {
    model: kerasLike(),
    attrs: { ink: 'dark', normalization: '0.5/0.5' },
    mean: [0.5],
    std: [0.5],
    dark: true,
  },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The element's 3D view (a private part: read as the render tests read a view, through its probe). */
const viewOf = (el: CnnVisualizer) => (el as unknown as { stage: { view?: NetworkView } }).stage.view;

/** The network's input for input bytes, written out here: x = ((dark ? 255 − p : p) / 255 − mean_c) / std_c. */
function normalised(c: Case, pixels: Uint8Array): Float32Array {
  const plane = pixels.length / c.model.input[0];
  return Float32Array.from(pixels, (p, i) => {
    const ch = Math.floor(i / plane);
    return ((c.dark ? 255 - p : p) / 255 - c.mean[ch % c.mean.length]) / c.std[ch % c.std.length];
  });
}

/** onnxruntime's own answer for the original file (not the element's rewritten one), as probabilities. */
async function ortProbabilities(c: Case, pixels: Uint8Array): Promise<number[]> {
  const session = await ort.InferenceSession.create(c.model.bytes, { executionProviders: ['wasm'] });
  try {
    const feeds = { input: new ort.Tensor('float32', normalised(c, pixels), [1, ...c.model.input]) };
    const out = Array.from((await session.run(feeds))[session.outputNames[0]].data as Float32Array);
    if (c.model.scores === 'probabilities') return out;
    if (c.model.scores === 'log-probabilities') return out.map(Math.exp);
    const max = Math.max(...out);
    const e = out.map((z) => Math.exp(z - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  } finally {
    await session.release();
  }
}

/** The element's answer and its input, checked against onnxruntime run here on the same bytes. */
async function expectOrtAnswer(c: Case, detail: PredictionDetail) {
  const expected = await ortProbabilities(c, detail.pixels);
  expect(detail.probabilities.length).to.equal(expected.length);
  for (let k = 0; k < expected.length; k++)
    expect(detail.probabilities[k], `class ${k}`).to.be.closeTo(expected[k], 1e-5);
  const input = normalised(c, detail.pixels);
  const shown = detail.activations.layers[0].data;
  for (let i = 0; i < input.length; i += 7) expect(shown[i]).to.be.closeTo(input[i], 1e-5);
}

/** Loads a case's bytes at model-url as a blob URL (as the site does with a dropped file). */
async function load(c: Case) {
  const url = URL.createObjectURL(new Blob([c.model.bytes as BlobPart]));
  const el = make({ loading: 'eager', tour: 'off', 'model-url': url, ...c.attrs });
  const ready = await next<{ model: { layers: { name: string; shape: number[] }[] } }>(el, 'cnn-ready');
  return { el, url, layers: ready.detail.model.layers };
}

/** The classification of the input the element holds now: the prediction made for the last cnn-input. */
async function settled(
  el: CnnVisualizer,
  seen: { type: string; detail: unknown }[],
): Promise<PredictionDetail> {
  const last = (type: string) => seen.filter((e) => e.type === type).pop()?.detail;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // the stroke's input is made
  let result: PredictionDetail | undefined;
  await until(() => {
    const input = last('cnn-input') as InputDetail | undefined;
    const p = last('cnn-prediction') as PredictionDetail | undefined;
    if (input?.pixels && p && p.pixels === input.pixels) result = p;
    return result !== undefined;
  }, 'the prediction of the last input');
  return result!;
}

describe('models of other shapes at model-url: drawn into, counted, checked against onnxruntime', () => {
  for (const c of cases()) {
    const [C, H, W] = c.model.input;
    const softmax = c.model.scores === 'probabilities' ? 'with Softmax' : `ending in ${c.model.scores}`;
    it(`${c.model.name}: ${C}×${H}×${W}, ${softmax}`, async function () {
      // each mouse move is classified and drawn (~55k cubes on a software GPU, on a shared machine)
      this.timeout(180_000);
      const { el, url, layers } = await load(c);
      try {
        expect(layers.map((l) => l.shape)).to.deep.equal([
          c.model.input,
          ...c.model.expected.map((e) => e[1]),
        ]);
        const seen = record(el, ['cnn-input', 'cnn-prediction']);
        await drawStrokes(
          el,
          [
            [
              [0.3, 0.25],
              [0.7, 0.25],
              [0.45, 0.8],
            ],
            [
              [0.35, 0.55],
              [0.65, 0.55],
            ],
          ],
          2,
        );
        const detail = await settled(el, seen);
        expect(detail.pixels.length, 'one byte per input value').to.equal(C * H * W);
        const plane = H * W;
        const first = detail.pixels.subarray(0, plane);
        expect(
          first.some((v) => v > 200),
          'the stroke reaches full ink',
        ).to.equal(true);
        for (let ch = 1; ch < C; ch++)
          expect(
            Array.from(detail.pixels.subarray(ch * plane, (ch + 1) * plane)),
            'ink in every channel',
          ).to.deep.equal(Array.from(first));
        // (a) one cube per number of every drawn layer
        await until(() => viewOf(el) !== undefined, 'the 3D view');
        const view = viewOf(el)!;
        for (const [i, l] of layers.entries()) {
          expect(probe(view).instanceCount(l.name), `${l.name}: cubes`).to.equal(size(l.shape));
          expect(detail.activations.layers[i].data.length, `${l.name}: values`).to.equal(size(l.shape));
        }
        expect(probe(view).totalInstances).to.equal(layers.reduce((n, l) => n + size(l.shape), 0));
        // (b) the probabilities are onnxruntime's own for this very input
        await expectOrtAnswer(c, detail);
      } finally {
        URL.revokeObjectURL(url);
      }
    });
  }

  it('setInput with a picture of another size: resized to the model, colour kept for 3 channels, shown on the pad', async () => {
    const c = cases()[2]; // 3×32×32
    const { el, url } = await load(c);
    try {
      // a 64×64 canvas in four colour quadrants: shrunk 2× each quadrant keeps its exact colour
      const colours = [
        [200, 30, 60],
        [20, 180, 90],
        [40, 70, 230],
        [250, 250, 250],
      ];
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 64;
      const ctx = canvas.getContext('2d')!;
      colours.forEach(([r, g, b], q) => {
        ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
        ctx.fillRect((q % 2) * 32, Math.floor(q / 2) * 32, 32, 32);
      });
      const inputs = record(el, ['cnn-input']);
      const p = next<PredictionDetail>(el, 'cnn-prediction');
      await el.setInput(canvas);
      const { detail } = await p;
      const px = detail.pixels;
      expect(px.length).to.equal(3 * 32 * 32);
      expect((inputs[0].detail as InputDetail).source).to.equal('api');
      colours.forEach((colour, q) => {
        const at = (8 + Math.floor(q / 2) * 16) * 32 + 8 + (q % 2) * 16; // inside quadrant q
        expect([px[at], px[1024 + at], px[2048 + at]], `quadrant ${q}`).to.deep.equal(colour);
      });
      await expectOrtAnswer(c, detail);
      // the pad shows the picture as given
      const pad = padCanvas(el);
      const d = pad
        .getContext('2d')!
        .getImageData(Math.round(pad.width / 4), Math.round(pad.height / 4), 1, 1).data;
      colours[0].forEach((v, k) => expect(d[k]).to.be.closeTo(v, 3));
      // which pixels mattered: one value per pixel of the 32×32 picture
      const map = await el.saliency();
      expect(map.length).to.equal(32 * 32);
      // …and glows over the pad where the 32×32 map says, stretched over the whole pad
      const top = map.indexOf(Math.max(...map));
      const [u, v] = [top % 32, Math.floor(top / 32)];
      el.showSaliency = true;
      const overlay = el
        .shadowRoot!.querySelector('cnn-draw-pad')!
        .shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
      const scale = overlay.width / 32;
      await until(
        () =>
          overlay
            .getContext('2d')!
            .getImageData(Math.floor((u + 0.5) * scale), Math.floor((v + 0.5) * scale), 1, 1).data[3] > 0,
        `the glow over input pixel (${u}, ${v})`,
      );
      el.showSaliency = false;

      // the same picture as ImageData, ImageBitmap or <img> gives the same input; bytes of the wrong length say what is expected
      const img = new Image();
      img.src = canvas.toDataURL(); // not yet loaded: setInput waits for it
      for (const picture of [ctx.getImageData(0, 0, 64, 64), await createImageBitmap(canvas), img]) {
        const a = await el.setInput(picture);
        expect(Array.from(a.layers[0].data), picture.constructor.name).to.deep.equal(
          Array.from(detail.activations.layers[0].data),
        );
      }
      let error: Error | undefined;
      await el.setInput(new Uint8Array(784)).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/expects 3072 values \(3×32×32/);
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  it('setInput with a picture for a grey model trained on dark ink: luminance, as given, at the model’s size', async () => {
    const c = cases()[4]; // 1×28×28, ink dark, 0.5/0.5
    const { el, url } = await load(c);
    try {
      // 56×56: grey levels by quadrant; a colour quadrant becomes its luminance
      const image = new ImageData(56, 56);
      const levels = [
        [255, 255, 255],
        [0, 0, 0],
        [200, 30, 60],
        [128, 128, 128],
      ];
      for (let y = 0; y < 56; y++)
        for (let x = 0; x < 56; x++) {
          const q = (y < 28 ? 0 : 2) + (x < 28 ? 0 : 1);
          image.data.set([...levels[q], 255], (y * 56 + x) * 4);
        }
      const p = next<PredictionDetail>(el, 'cnn-prediction');
      await el.setInput(image);
      const { detail } = await p;
      expect(detail.pixels.length).to.equal(28 * 28);
      levels.forEach(([r, g, b], q) => {
        const lum = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        const at = (7 + Math.floor(q / 2) * 14) * 28 + 7 + (q % 2) * 14;
        // dark ink: the ink byte is 255 − brightness, and the model reads the brightness itself
        expect(detail.pixels[at], `quadrant ${q}`).to.equal(255 - lum);
        expect(detail.activations.layers[0].data[at]).to.be.closeTo((lum / 255 - 0.5) / 0.5, 1e-5);
      });
      await expectOrtAnswer(c, detail);
      // 784 bytes are taken as they are, as for MNIST
      const bytes = Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
      const q = next<PredictionDetail>(el, 'cnn-prediction');
      await el.setInput(bytes);
      const given = (await q).detail;
      expect(Array.from(given.pixels)).to.deep.equal(Array.from(bytes));
      await expectOrtAnswer(c, given);
      // saliency on a model whose batch is fixed at 1: one run per occluded variant
      expect((await el.saliency()).length).to.equal(28 * 28);
    } finally {
      URL.revokeObjectURL(url);
    }
  });
});
