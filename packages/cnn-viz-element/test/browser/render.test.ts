// The renderer and the tour on their own, in real Chromium with WebGL on SwiftShader.
import { expect } from '@esm-bundle/chai';
import type { Activations } from '../../src/inference/activations.js';
import type { ModelDescription } from '../../src/model/description.js';
import { NORMALIZATION_PRESETS } from '../../src/model/normalization.js';
import { colorize, PALETTES } from '../../src/render/colormap.js';
import { MAX_CUBES, ModelTooLargeError } from '../../src/render/limits.js';
import { NetworkView } from '../../src/render/network-view.js';
import { probe } from '../../src/render/view-probe.js';
import { buildTour } from '../../src/tour/steps.js';
import { TourPlayer } from '../../src/tour/tour-player.js';
import { inkedFraction, until } from './helpers/element.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Deterministic activations for any layer list: a smooth signed pattern per layer. */
function synthetic(model: ModelDescription): Activations {
  const layers = model.layers.map((l, li) => {
    const data = new Float32Array(size(l.shape));
    for (let i = 0; i < data.length; i++)
      data[i] =
        Math.sin(i * 0.37 + li) * (l.kind === 'relu' ? 0 : 1) +
        (l.kind === 'relu' ? Math.abs(Math.sin(i)) : 0);
    return { name: l.name, kind: l.kind, shape: l.shape, data };
  });
  const probabilities = layers[layers.length - 1].data;
  probabilities.fill(0.02);
  probabilities[6] = 0.82;
  return { layers, probabilities, prediction: 6 };
}

function canvas(w = 800, h = 450): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
  document.body.appendChild(c);
  return c;
}

/** The canvas's pixels as drawn (RGBA bytes). */
function pixels(c: HTMLCanvasElement): Uint8ClampedArray {
  const copy = Object.assign(document.createElement('canvas'), { width: c.width, height: c.height });
  const ctx = copy.getContext('2d')!;
  ctx.drawImage(c, 0, 0);
  return ctx.getImageData(0, 0, c.width, c.height).data;
}

/** How many bytes of two pictures differ. */
function bytesDiffering(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

let model: ModelDescription;
before(async () => {
  model = await (await fetch('/model/cnn.json')).json();
});
afterEach(() => document.querySelectorAll('canvas').forEach((c) => c.remove()));

describe('NetworkView', () => {
  it('draws one thin instance per activation of every layer in cnn.json, in one draw call', () => {
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: true });
    let total = 0;
    for (const l of model.layers) {
      expect(probe(view).instanceCount(l.name), l.name).to.equal(size(l.shape));
      total += size(l.shape);
    }
    expect(view.layout.total).to.equal(total);
    expect(probe(view).totalInstances).to.equal(total);
    view.setActivations(synthetic(model));
    view.renderOnce();
    expect(probe(view).drawCalls).to.be.greaterThan(0);
    expect(probe(view).drawCalls).to.equal(1); // every layer's cubes in one mesh; none for an empty highlight
    view.dispose();
  });

  it('renders visible cubes (not a blank canvas: shaders, includes and thin instances all work)', () => {
    const c = canvas();
    const view = new NetworkView(c, model, { theme: 'dark', reducedMotion: true });
    view.setActivations(synthetic(model));
    view.focus({ layers: [] }, 0);
    view.renderOnce();
    expect(inkedFraction(c)).to.be.greaterThan(0.05);
    view.dispose();
  });

  it('the colour buffer of each layer matches its activations through the colour map', () => {
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: true });
    const acts = synthetic(model);
    view.setActivations(acts);
    // the input's cubes show ink 0–255: its values back through LeNet's normalisation (bright ink)
    const n = model.input.normalization;
    const ink = (v: number) => Math.min(255, Math.max(0, (v * n.std + n.mean) / n.scale));
    for (const [i, l] of model.layers.entries()) {
      const expected = new Float32Array(4 * size(l.shape));
      const data = l.kind === 'input' ? Float32Array.from(acts.layers[i].data, ink) : acts.layers[i].data;
      colorize(data, l.kind, PALETTES.light, expected, new Float32Array(size(l.shape)));
      const actual = probe(view).colorBuffer(l.name);
      for (let k = 0; k < expected.length; k += 37)
        expect(actual[k], `${l.name}[${k}]`).to.be.closeTo(expected[k], 1e-6);
    }
    // signed layers use the diverging map: the most negative value is blue, the most positive red
    const conv = acts.layers.findIndex((l) => l.kind === 'conv');
    const data = acts.layers[conv].data;
    const lo = data.indexOf(Math.min(...data));
    const hi = data.indexOf(Math.max(...data));
    const colors = probe(view).colorBuffer(acts.layers[conv].name);
    expect(colors[4 * lo + 2]).to.be.greaterThan(colors[4 * lo]);
    expect(colors[4 * hi]).to.be.greaterThan(colors[4 * hi + 2]);
    // one language: a non-negative layer's strongest value is the same red as the strongest positive
    // signed value, and its zeros the same grey as a signed zero, in either theme
    for (const theme of ['light', 'dark'] as const) {
      view.setTheme(theme);
      const p = PALETTES[theme];
      for (const kind of ['relu', 'conv'] as const) {
        const li = acts.layers.findIndex((l) => l.kind === kind);
        const d = acts.layers[li].data;
        const c = probe(view).colorBuffer(acts.layers[li].name);
        const top = d.indexOf(Math.max(...d));
        for (let k = 0; k < 3; k++)
          expect(c[4 * top + k], `${theme} ${kind} max`).to.be.closeTo(p.warm[2][k], 1e-6);
      }
      const relu = acts.layers.findIndex((l) => l.kind === 'relu');
      const zero = acts.layers[relu].data.indexOf(0);
      const c = probe(view).colorBuffer(acts.layers[relu].name);
      for (let k = 0; k < 3; k++)
        expect(c[4 * zero + k], `${theme} relu zero`).to.be.closeTo(p.neutral[k], 1e-6);
    }
    view.dispose();
  });

  it('the input shows ink: none is grey in every channel, full ink the strongest red, for a colour model with per-channel normalisation that reads dark ink', () => {
    const norm = NORMALIZATION_PRESETS.imagenet;
    const { mean, std } = norm.perChannel!;
    const colour: ModelDescription = {
      ...model,
      input: { ...model.input, shape: [3, 8, 8], normalization: norm, ink: 'dark' },
      layers: [
        { name: 'input', kind: 'input', shape: [3, 8, 8] },
        { name: 'fc', kind: 'dense', shape: [10], from: 'input' },
      ],
    };
    // full ink in the left half of every channel, none in the right half
    const inkAt = (i: number) => (i % 8 < 4 ? 255 : 0);
    // what the model reads: dark ink, so the pixel is 255 − ink, then (p / 255 − mean[c]) / std[c]
    const data = Float32Array.from({ length: 192 }, (_, i) => {
      const c = Math.floor(i / 64);
      return ((255 - inkAt(i)) / 255 - mean[c]) / std[c];
    });
    const view = new NetworkView(canvas(), colour, { theme: 'light', reducedMotion: true });
    view.setActivations({
      layers: [
        { name: 'input', kind: 'input', shape: [3, 8, 8], data },
        { name: 'fc', kind: 'dense', shape: [10], data: new Float32Array(10) },
      ],
      probabilities: new Float32Array(10).fill(0.1),
      prediction: 0,
    });
    const c = probe(view).colorBuffer('input');
    const p = PALETTES.light;
    for (let i = 0; i < 192; i++) {
      const want = inkAt(i) ? p.warm[2] : p.neutral;
      for (let k = 0; k < 3; k++)
        expect(c[4 * i + k], `cube ${i} (channel ${Math.floor(i / 64)}, ink ${inkAt(i)})`).to.be.closeTo(
          want[k],
          1e-5,
        );
    }
    view.dispose();
  });

  it('picks the cube under the pointer with its layer, position and value', () => {
    const c = canvas();
    const view = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
    const acts = synthetic(model);
    view.setActivations(acts);
    view.focus({ layers: ['input'], alpha: -Math.PI / 2, beta: Math.PI / 2 }, 0);
    view.renderOnce();
    // straight on, the middle of the canvas is the middle of the 28×28 input
    const pick = view.pick(400, 225);
    expect(pick).to.not.equal(null);
    expect(pick!.layer).to.equal('input');
    expect(pick!.row).to.be.within(12, 15);
    expect(pick!.col).to.be.within(12, 15);
    expect(pick!.value).to.equal(acts.layers[0].data[pick!.index]);
    view.dispose();
  });

  it('lays out and renders a made-up network with other shapes (nothing is hard-coded to LeNet)', () => {
    const other: ModelDescription = {
      ...model,
      layers: [
        { name: 'in', kind: 'input', shape: [3, 16, 16] },
        { name: 'c', kind: 'conv', shape: [4, 14, 14], from: 'in', kernel: 3, stride: 1, padding: 0 },
        { name: 'p', kind: 'maxpool', shape: [4, 7, 7], from: 'c', kernel: 2, stride: 2 },
        { name: 'f', kind: 'flatten', shape: [196], from: 'p' },
        { name: 'd', kind: 'dense', shape: [5], from: 'f' },
        { name: 's', kind: 'softmax', shape: [5], from: 'd' },
      ],
      classes: ['a', 'b', 'c', 'd', 'e'],
    };
    const c = canvas();
    const view = new NetworkView(c, other, { theme: 'light', reducedMotion: true });
    expect(probe(view).instanceCount('c')).to.equal(4 * 14 * 14);
    expect(probe(view).instanceCount('s')).to.equal(5);
    view.setActivations(synthetic(other));
    view.focus({ layers: [] }, 0);
    view.renderOnce();
    expect(inkedFraction(c)).to.be.greaterThan(0.03);
    // a step per layer, the overview and the verdict; and "how it learned" when the model lists
    // two or more training checkpoints (cnn.json does, and `other` keeps them)
    const learned = (other.checkpoints?.length ?? 0) >= 2 ? 1 : 0;
    expect(buildTour(other).length).to.equal(other.layers.length + 2 + learned);
    view.dispose();
  });

  it('reveals step by step exactly as at once: the colours and the uploaded pixels', () => {
    const acts = synthetic(model);
    const li = model.layers.findIndex((l) => l.kind === 'conv');
    const l = model.layers[li];
    const [, h, w] = l.shape;
    const plane = h * w;
    const n = size(l.shape);
    const target = new Float32Array(4 * n);
    const strength = new Float32Array(n);
    colorize(acts.layers[li].data, l.kind, PALETTES.light, target, strength);
    const ghost = PALETTES.light.ghost;
    const expectColours = (view: NetworkView, lit: (i: number) => boolean, what: string) => {
      const c = probe(view).colorBuffer(l.name);
      for (let i = 0; i < n; i++) {
        const want = lit(i)
          ? [target[4 * i], target[4 * i + 1], target[4 * i + 2], strength[i]]
          : [...ghost, 0];
        for (let k = 0; k < 4; k++)
          if (Math.abs(c[4 * i + k] - want[k]) > 1e-6)
            expect.fail(`${what}: cube ${i}[${k}] ${c[4 * i + k]} ≠ ${want[k]}`);
      }
    };
    const open = (c: HTMLCanvasElement) => {
      const v = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
      v.setActivations(acts);
      v.focus({ layers: [l.name], alpha: -Math.PI / 2, beta: Math.PI / 2 }, 0);
      return v;
    };
    const ca = canvas(400, 300);
    const cb = canvas(400, 300);
    const stepwise = open(ca);
    // a sweep forwards and back, a switch to filling, a fill forwards and back, and back to a sweep
    for (const p of [0, 37, 200, 100]) {
      stepwise.revealPositions(li, p);
      expectColours(stepwise, (i) => i % plane < p, `sweep to ${p}`);
    }
    stepwise.revealPositions(li, plane);
    stepwise.reveal(li, Infinity); // a finished sweep shown in full by the next step
    expectColours(stepwise, () => true, 'all');
    for (const c of [500, 123, 0, 77]) {
      stepwise.reveal(li, c);
      expectColours(stepwise, (i) => i < c, `fill to ${c}`);
    }
    stepwise.revealPositions(li, 150);
    expectColours(stepwise, (i) => i % plane < 150, 'sweep after a fill');
    stepwise.renderOnce();
    // the same state reached at once on a fresh view draws the same picture: the ranges uploaded
    // step by step are the ones that changed
    const atOnce = open(cb);
    atOnce.revealPositions(li, 150);
    atOnce.renderOnce();
    const pa = pixels(ca);
    const pb = pixels(cb);
    const differ = bytesDiffering(pa, pb);
    expect(differ, 'pixels that differ').to.equal(0);
    expect(inkedFraction(ca)).to.be.greaterThan(0.05);
    stepwise.dispose();
    atOnce.dispose();
    // the reveal is drawn by the shader: the same view with the layer hidden, half swept and shown
    // whole gives three different pictures (ghosts are flat and grey, computed cubes coloured)
    const shot = (reveal: (v: NetworkView) => void) => {
      const c = canvas(400, 300);
      const v = open(c);
      reveal(v);
      v.renderOnce();
      const p = pixels(c);
      v.dispose();
      c.remove();
      return p;
    };
    const none = shot((v) => v.reveal(li, 0));
    const half = shot((v) => v.revealPositions(li, plane / 2));
    const all = shot((v) => v.reveal(li, Infinity));
    const share = (a: Uint8ClampedArray, b: Uint8ClampedArray) => {
      let d = 0;
      for (let i = 0; i < a.length; i += 4)
        if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30) d++;
      return d / (a.length / 4);
    };
    expect(share(none, all), 'hidden vs shown').to.be.greaterThan(0.05);
    expect(share(half, all), 'half swept vs shown').to.be.greaterThan(0.02);
    expect(share(half, none), 'half swept vs hidden').to.be.greaterThan(0.02);
  });

  it('a highlight moved from cube to cube draws what a fresh view draws for the last one', () => {
    // the highlight uploads only the plates that changed (a dense layer's fan-in keeps its inputs'
    // plates): after a sweep of highlights and a fan-in, the picture must be exactly a fresh one's
    const acts = synthetic(model);
    const conv = model.layers.findIndex((l) => l.kind === 'conv');
    const dense = model.layers.findIndex((l) => l.kind === 'dense');
    const open = () => {
      const c = canvas(400, 300);
      const v = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
      v.setActivations(acts);
      return Object.assign(v, { picture: () => pixels(c) });
    };
    for (const [layer, path] of [
      [conv, [0, 1, 2, 30, 31, 200]],
      [dense, [0, 1, 2, 7, 3]],
    ] as const) {
      const moved = open();
      const fresh = open();
      moved.focus({ layers: [] }, 0);
      fresh.focus({ layers: [] }, 0);
      for (const i of path) {
        moved.highlightCube(layer, i);
        moved.renderOnce();
      }
      moved.highlightCube(-1, -1); // hidden and shown again
      moved.renderOnce();
      moved.highlightCube(layer, path.at(-1)!);
      moved.renderOnce();
      fresh.highlightCube(layer, path.at(-1)!);
      fresh.renderOnce();
      const a = moved.picture();
      const b = fresh.picture();
      const differ = bytesDiffering(a, b);
      expect(differ, `${model.layers[layer].name}: pixels that differ`).to.equal(0);
      // and the highlight is there at all: without it the picture differs
      fresh.highlightCube(-1, -1);
      fresh.renderOnce();
      const c = fresh.picture();
      const shown = bytesDiffering(a, c);
      expect(shown, `${model.layers[layer].name}: pixels the highlight changes`).to.be.greaterThan(20);
      // new activations change the cubes' heights: the plates on the inputs follow them
      const other: Activations = {
        ...acts,
        layers: acts.layers.map((l) => ({ ...l, data: l.data.map((v) => v * 0.3) })),
      };
      moved.setActivations(other);
      moved.highlightCube(layer, path.at(-1)!);
      moved.renderOnce();
      const again = open();
      again.focus({ layers: [] }, 0);
      again.setActivations(other);
      again.highlightCube(layer, path.at(-1)!);
      again.renderOnce();
      const d = moved.picture();
      const e = again.picture();
      const after = bytesDiffering(d, e);
      expect(after, `${model.layers[layer].name}: pixels that differ after new activations`).to.equal(0);
      again.dispose();
      moved.dispose();
      fresh.dispose();
    }
  });

  it('refuses a model over the size it shows well, naming it, before it takes a WebGL context', () => {
    const maps = Math.ceil(MAX_CUBES / (32 * 32)); // one conv layer alone is over the limit
    const big: ModelDescription = {
      ...model,
      layers: [
        { name: 'input', kind: 'input', shape: [1, 32, 32] },
        {
          name: 'conv',
          kind: 'conv',
          shape: [maps, 32, 32],
          from: 'input',
          kernel: 3,
          stride: 1,
          padding: 1,
        },
      ],
    };
    const c = canvas();
    expect(() => new NetworkView(c, big, { theme: 'light', reducedMotion: true }))
      .to.throw(ModelTooLargeError)
      .with.property('message')
      .that.matches(/activations to draw.*shows up to/);
    // no context was taken: the canvas can still become a 2D canvas
    expect(c.getContext('2d')).to.not.equal(null);
  });

  it('dispose loses the WebGL context', () => {
    const c = canvas();
    const view = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
    const gl = c.getContext('webgl2')!;
    view.dispose();
    expect(gl.isContextLost()).to.equal(true);
  });
});

describe('the reader moves the camera', () => {
  // expected turns follow from the controls' documented constants, not from the code: 900 px of
  // drag per radian before inertia, and a glide that keeps 0.9 of the velocity per 60 Hz frame,
  // so a drag turns 1 / (1 − 0.9) = 10 × (pixels / 900) radians in all
  const setup = () => {
    const c = canvas();
    const view = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
    view.setActivations(synthetic(model));
    view.focus({ layers: ['conv1'], alpha: -Math.PI / 2, beta: Math.PI / 2 }, 0);
    view.start();
    return { c, view, cam: () => probe(view).camera };
  };
  const pointer = (c: HTMLCanvasElement, type: string, init: PointerEventInit) =>
    c.dispatchEvent(
      new PointerEvent(type, {
        bubbles: true,
        cancelable: true,
        pointerType: 'mouse',
        pointerId: 1,
        ...init,
      }),
    );
  /** Waits until the camera stops gliding (same state over a few frames). */
  const settled = async (read: () => unknown) => {
    let last = '';
    let same = 0;
    await until(
      () => {
        const now = JSON.stringify(read());
        same = now === last ? same + 1 : 0;
        last = now;
        return same >= 5;
      },
      'the camera to stop',
      60_000, // frames are slow on a loaded machine's software GPU
    );
  };

  it('a drag turns it, with inertia, by 10 × pixels / 900 radians; the vertical angle stays within its limits', async () => {
    const { c, view, cam } = setup();
    const before = cam();
    pointer(c, 'pointerdown', { clientX: 300, clientY: 200, button: 0, buttons: 1 });
    for (let x = 310; x <= 390; x += 10) pointer(c, 'pointermove', { clientX: x, clientY: 200, buttons: 1 });
    pointer(c, 'pointerup', { clientX: 390, clientY: 200, button: 0 });
    await settled(cam);
    expect(cam().alpha).to.be.closeTo(before.alpha - (10 * 90) / 900, 0.01);
    expect(cam().beta).to.be.closeTo(before.beta, 1e-9);
    // a long drag upwards tilts until the limit (0.25 rad from the pole), never past it
    pointer(c, 'pointerdown', { clientX: 300, clientY: 400, button: 0, buttons: 1 });
    for (let y = 380; y >= 0; y -= 20) pointer(c, 'pointermove', { clientX: 300, clientY: y, buttons: 1 });
    pointer(c, 'pointerup', { clientX: 300, clientY: 0, button: 0 });
    await settled(cam);
    expect(cam().beta).to.be.closeTo(Math.PI - 0.25, 1e-9);
    view.dispose();
  });

  it('a right drag pans: the target moves, the angles do not', async () => {
    const { c, view, cam } = setup();
    const before = cam();
    pointer(c, 'pointerdown', { clientX: 300, clientY: 200, button: 2, buttons: 2 });
    for (let x = 290; x >= 240; x -= 10) pointer(c, 'pointermove', { clientX: x, clientY: 200, buttons: 2 });
    pointer(c, 'pointerup', { clientX: 240, clientY: 200, button: 2 });
    await settled(cam);
    // looking straight at the plane (alpha −π/2, beta π/2) the screen's right is +x: dragging the
    // picture 60 px to the left moves the target 10 × 60 / 60 = 10 units to the right
    expect(cam().target[0] - before.target[0]).to.be.closeTo(10, 0.05);
    expect(cam().target[1]).to.be.closeTo(before.target[1], 1e-6);
    expect(cam().alpha).to.equal(before.alpha);
    view.dispose();
  });

  it('two fingers pinch to zoom: twice as far apart, half the distance', async () => {
    const { c, view, cam } = setup();
    const before = cam().radius;
    const touch = (type: string, id: number, x: number) =>
      pointer(c, type, { pointerType: 'touch', pointerId: id, clientX: x, clientY: 200, buttons: 1 });
    touch('pointerdown', 11, 350);
    touch('pointerdown', 12, 450);
    touch('pointermove', 11, 351); // the first two-finger position
    touch('pointermove', 11, 300);
    touch('pointermove', 12, 501);
    touch('pointerup', 11, 300);
    touch('pointerup', 12, 501);
    await settled(cam);
    // 99 px apart (351 → 450) became 201 (300 → 501): the distance shrinks by 99 / 201
    expect(cam().radius).to.be.closeTo((before * 99) / 201, 1e-6);
    view.dispose();
  });

  it('Ctrl + wheel zooms; the plain wheel is left to the page', async () => {
    const { c, view, cam } = setup();
    const before = cam().radius;
    const plain = new WheelEvent('wheel', { deltaY: 100, cancelable: true, bubbles: true });
    c.dispatchEvent(plain);
    expect(plain.defaultPrevented).to.equal(false);
    expect(cam().radius).to.equal(before);
    const zoom = new WheelEvent('wheel', { deltaY: -150, ctrlKey: true, cancelable: true, bubbles: true });
    c.dispatchEvent(zoom);
    expect(zoom.defaultPrevented).to.equal(true);
    expect(cam().radius).to.be.closeTo(before * Math.exp(-0.5), 1e-6);
    view.dispose();
  });

  it('arrow keys held move it round the network, and stop when released; + and − zoom', async () => {
    const { c, view, cam } = setup();
    const key = (type: string, k: string) => {
      const e = new KeyboardEvent(type, { key: k, bubbles: true, cancelable: true });
      c.dispatchEvent(e);
      return e;
    };
    const before = cam();
    expect(key('keydown', 'ArrowLeft').defaultPrevented).to.equal(true); // not the page's scroll
    // the camera goes round to the left (ArcRotateCamera's keys): its angle decreases
    await until(() => cam().alpha < before.alpha - 0.2, 'ArrowLeft to turn the camera');
    key('keyup', 'ArrowLeft');
    await settled(cam);
    const stopped = cam().alpha;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    expect(cam().alpha).to.equal(stopped);
    key('keydown', 'ArrowDown');
    await until(() => cam().beta > before.beta + 0.1, 'ArrowDown to tilt the camera');
    key('keyup', 'ArrowDown');
    const r = cam().radius;
    key('keydown', '+');
    expect(cam().radius).to.be.closeTo(r * 0.85, 1e-6);
    key('keydown', '-');
    expect(cam().radius).to.be.closeTo(r, 1e-6);
    view.dispose();
  });
});

describe('TourPlayer', () => {
  it('has at least 8 narrated steps, one per layer kind at least, and navigates', () => {
    const steps = buildTour(model);
    expect(steps.length).to.be.at.least(8);
    for (const kind of new Set(model.layers.map((l) => l.kind)))
      expect(
        steps.some((s) => s.layer && model.layers.find((l) => l.name === s.layer)?.kind === kind),
        kind,
      ).to.equal(true);
    for (const s of steps) expect(s.text.length, s.id).to.be.greaterThan(40);
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: false });
    view.setActivations(synthetic(model));
    const player = new TourPlayer(view, steps);
    const seen: number[] = [];
    player.onChange((s) => seen.push(s.index));
    player.goTo(3);
    player.next();
    player.prev();
    expect(player.state.index).to.equal(3);
    player.skip();
    expect(player.state.step.id).to.equal('verdict');
    expect(player.state.playing).to.equal(false);
    player.dispose();
    view.dispose();
  });

  it('while playing, later layers are ghosts until the tour reaches them; skip shows everything', async () => {
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: false });
    const acts = synthetic(model);
    view.setActivations(acts);
    const player = new TourPlayer(view, buildTour(model));
    player.play(0);
    player.setSpeed(8);
    view.start();
    await new Promise((r) => setTimeout(r, 1500));
    const last = model.layers[model.layers.length - 1].name;
    const ghost = PALETTES.light.ghost;
    expect(probe(view).colorBuffer(last)[0]).to.be.closeTo(ghost[0], 1e-6);
    // new activations mid-tour recolour without restarting it
    const index = player.state.index;
    view.setActivations(synthetic(model));
    expect(player.state.index).to.equal(index);
    player.skip();
    expect(probe(view).colorBuffer(last)[4 * 6]).to.not.be.closeTo(ghost[0], 1e-3);
    player.dispose();
    view.dispose();
  });

  it('with reduced motion, play shows the step’s final state at once and does not auto-advance', () => {
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: true });
    view.setActivations(synthetic(model));
    const player = new TourPlayer(view, buildTour(model), { reducedMotion: true });
    player.play(2);
    expect(player.state.playing).to.equal(false);
    expect(player.state.index).to.equal(2);
    const layer = buildTour(model)[2].layer!;
    const ghost = PALETTES.light.ghost;
    const colors = probe(view).colorBuffer(layer);
    let lit = 0;
    for (let i = 0; i < colors.length; i += 4) if (Math.abs(colors[i] - ghost[0]) > 1e-3) lit++;
    expect(lit).to.be.greaterThan(0);
    player.dispose();
    view.dispose();
  });
});
