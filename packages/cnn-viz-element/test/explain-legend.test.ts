// The colour language's legend: each layer's real minimum and maximum for this drawing, printed to
// 3 significant digits and exact to the digits printed; the bar's colours are the cubes' colours.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { formatNumber, parseFormatted } from '../src/explain/index.ts';
import type { Activations } from '../src/inference/activations.ts';
import { applyNormalization, inkOf, NORMALIZATION_PRESETS } from '../src/model/normalization.ts';
import { colorize, legendFor, PALETTES, saliencyOverlay, scaleFor } from '../src/render/colormap.ts';
import { digitAt, loadMnistTest } from './helpers/mnist.ts';
import { activationsFor, model } from './helpers/onnx-model.ts';

let acts: Activations;
before(async () => {
  acts = await activationsFor(digitAt(loadMnistTest(), 18));
});

/** Half a unit in the last printed digit of a formatted number. */
function halfUnit(label: string): number {
  const m = /^−?(\d+)(?:\.(\d+))?(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?$/.exec(label);
  assert.ok(m, `unexpected label ${label}`);
  const decimals = m[2]?.length ?? 0;
  const exp = m[3] ? Math.log10(parseFormatted(`1×10${m[3]}`)) : 0;
  return 0.5 * 10 ** (exp - decimals);
}

test('formatNumber: 3 significant digits, nearest, real minus, powers of ten for the very small', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1.2345, '1.23'],
    [-9.3712, '−9.37'],
    [0.5, '0.5'],
    [4.6449, '4.64'],
    [9.996, '10'],
    [12345.6, '12346'],
    [-0.000123456, '−1.23×10⁻⁴'],
    [9.39e-8, '9.39×10⁻⁸'],
  ];
  for (const [v, s] of cases) assert.equal(formatNumber(v), s, String(v));
  for (const [v, s] of cases) assert.ok(Math.abs(parseFormatted(s) - v) <= halfUnit(s) + 1e-15, s);
});

test('each layer’s legend shows its actual min and max, exact to the printed digits, and where 0 is', () => {
  for (const [i, l] of model.layers.entries()) {
    const data = acts.layers[i].data;
    const min = Math.min(...data);
    const max = Math.max(...data);
    const g = legendFor(l.kind, data);
    assert.equal(g.min, min, l.name);
    assert.equal(g.max, max, l.name);
    for (const [label, v] of [
      [g.labels.min, min],
      [g.labels.max, max],
    ] as const) {
      const printed = parseFormatted(label);
      assert.ok(Math.abs(printed - v) <= halfUnit(label) * (1 + 1e-9), `${l.name}: ${label} for ${v}`);
      const digits = label
        .replace(/×10.*$/, '')
        .replace(/[^\d]/g, '')
        .replace(/^0+/, '').length;
      assert.ok(label === '0' ? v === 0 : digits >= 1 && digits <= 5, `${l.name}: ${label}`);
    }
    // the bar covers [min, max] and 0, and the ticks say so
    assert.equal(g.from, Math.min(min, 0));
    assert.equal(g.to, Math.max(max, 0));
    assert.ok(Math.abs(g.zero - (0 - g.from) / (g.to - g.from)) < 1e-12);
    const labels = g.ticks.map((t) => t.label);
    assert.ok(labels.includes(g.labels.min) && labels.includes(g.labels.max), `${l.name}: ${labels}`);
    assert.match(g.gradient, /^linear-gradient\(to right, rgb\(/);
    const expected = ['conv', 'dense'].includes(l.kind) ? 'diverging' : 'sequential';
    assert.equal(g.scale, expected, l.name);
    assert.equal(scaleFor(l.kind, data), expected, l.name);
  }
  // the conv layer's bar: blue at its min, the neutral grey at 0
  const conv = legendFor('conv', acts.layers[1].data);
  const grey = PALETTES.light.neutral.map((c) => Math.round(c * 255)).join(' ');
  assert.ok(conv.stops.some((s) => Math.abs(s.offset - conv.zero) < 1e-12 && s.color === `rgb(${grey})`));
});

test('the bar’s end colours are exactly the colours of the layer’s smallest and largest cubes', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const [i, l] of model.layers.entries()) {
      const data = acts.layers[i].data;
      const rgba = new Float32Array(4 * data.length);
      colorize(data, l.kind, PALETTES[theme], rgba, new Float32Array(data.length));
      const css = (k: number) => `rgb(${[0, 1, 2].map((c) => Math.round(rgba[4 * k + c] * 255)).join(' ')})`;
      const g = legendFor(l.kind, data, { theme });
      const lo = data.indexOf(Math.min(...data));
      const hi = data.indexOf(Math.max(...data));
      const first = g.stops.find((s) => Math.abs(s.offset - (g.min - g.from) / (g.to - g.from)) < 1e-9);
      if (g.min === g.from) assert.equal(first?.color, css(lo), `${theme} ${l.name} min`);
      if (g.max === g.to) assert.equal(g.stops[g.stops.length - 1].color, css(hi), `${theme} ${l.name} max`);
    }
  }
});

test('the input’s legend reads ink 0–255 when it knows the normalisation', () => {
  const g = legendFor('input', acts.layers[0].data, { normalization: model.input.normalization });
  assert.equal(g.min, 0);
  assert.equal(g.max, 255);
  assert.deepEqual(
    g.ticks.map((t) => t.label),
    ['0', '255'],
  );
  assert.equal(g.zero, 0);
  assert.equal(g.ticks[0].align, 'start');
  assert.equal(g.ticks[1].align, 'end');
});

test('inkOf undoes the normalisation: the bytes back, per channel, for dark ink too', () => {
  const norm = NORMALIZATION_PRESETS.imagenet;
  const pixels = Uint8Array.from({ length: 3 * 16 }, (_, i) => (i * 37) % 256);
  for (const ink of ['bright', 'dark'] as const) {
    const back = inkOf(applyNormalization(pixels, norm, ink), norm, ink);
    pixels.forEach((p, i) => assert.ok(Math.abs(back[i] - p) < 1e-3, `${ink} ${i}: ${back[i]} ≠ ${p}`));
  }
});

test('a colour input that reads dark ink: its legend is ink 0 (grey) to the most ink, as its cubes', () => {
  const norm = NORMALIZATION_PRESETS.imagenet;
  const { mean, std } = norm.perChannel!;
  // ink 0 and 200 in each channel: the model reads p = 255 − ink, (p / 255 − mean[c]) / std[c]
  const ink = [0, 200, 0, 200, 0, 200];
  const values = Float32Array.from(ink, (k, i) => {
    const c = Math.floor(i / 2);
    return ((255 - k) / 255 - mean[c]) / std[c];
  });
  const g = legendFor('input', values, { normalization: norm, ink: 'dark' });
  assert.equal(g.min, 0);
  assert.equal(g.max, 200);
  assert.deepEqual(
    g.ticks.map((t) => t.label),
    ['0', '200'],
  );
  assert.equal(g.zero, 0);
  const css = (c: readonly number[]) => `rgb(${c.map((v) => Math.round(v * 255)).join(' ')})`;
  assert.equal(g.stops[0].color, css(PALETTES.light.neutral), 'no ink is the neutral grey');
  assert.equal(g.stops.at(-1)!.color, css(PALETTES.light.warm[2]), 'the most ink the strongest red');
});

test('saliency overlay: transparent where nothing mattered, most opaque where most did', () => {
  const map = new Float32Array(784);
  map[14 * 28 + 14] = 2;
  map[5 * 28 + 5] = 1;
  const rgba = saliencyOverlay(map, { blur: false });
  assert.equal(rgba[4 * 0 + 3], 0);
  assert.ok(rgba[4 * (14 * 28 + 14) + 3] > rgba[4 * (5 * 28 + 5) + 3]);
  assert.ok(rgba[4 * (14 * 28 + 14)] > rgba[4 * (14 * 28 + 14) + 2], 'warm');
  const soft = saliencyOverlay(map);
  assert.ok(soft[4 * (14 * 28 + 15) + 3] > 0, 'glows around the pixel');
});
