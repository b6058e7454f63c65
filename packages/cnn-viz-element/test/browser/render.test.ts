// The renderer and the tour on their own, in real Chromium with WebGL on SwiftShader.
import { expect } from '@esm-bundle/chai';
import type { Activations } from '../../src/inference/activations.js';
import type { ModelDescription } from '../../src/model/description.js';
import { colorize, PALETTES } from '../../src/render/colormap.js';
import { NetworkView } from '../../src/render/network-view.js';
import { probe } from '../../src/render/view-probe.js';
import { buildTour } from '../../src/tour/steps.js';
import { TourPlayer } from '../../src/tour/tour-player.js';
import { inkedFraction } from './helpers/element.js';

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
    for (const [i, l] of model.layers.entries()) {
      const expected = new Float32Array(4 * size(l.shape));
      colorize(acts.layers[i].data, l.kind, PALETTES.light, expected, new Float32Array(size(l.shape)));
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
    expect(buildTour(other).length).to.equal(other.layers.length + 2);
    view.dispose();
  });

  it('dispose loses the WebGL context', () => {
    const c = canvas();
    const view = new NetworkView(c, model, { theme: 'light', reducedMotion: true });
    const gl = c.getContext('webgl2')!;
    view.dispose();
    expect(gl.isContextLost()).to.equal(true);
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
    expect(player.state.index).to.equal(steps.length - 1);
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
