/**
 * The network's one visual language, decided here and nowhere else. DOM-free, no Babylon.
 *
 * - **Diverging** for values that can be negative (convolution and dense outputs before their ReLU,
 *   the raw class scores, batch norm, LeakyReLU, tanh): blue below zero, grey at zero, red above,
 *   scaled by the layer's largest magnitude so zero is always the same grey.
 * - **Sequential** for values that cannot (input ink, ReLU, pooling of those, probabilities,
 *   sigmoid, saliency): grey for none, rising through the *same* warm ramp as the diverging positive
 *   side to the same red for the strongest. Red means "strong / present" everywhere.
 * - In both themes the grey of zero stands out from the background, stronger colours are further
 *   from it (darker on light, brighter on dark), and the highlight is green, a hue no value uses.
 * - A cube's height grows linearly with its strength |v| / scale (`strength`, 0–1); its colour uses
 *   √strength so small values still show their sign.
 *
 * `colorize` writes colours in place (no allocation); `legendFor` describes the same scale for a
 * legend with the layer's real numbers.
 */
import { formatNumber } from '../explain/format.js';
import type { LayerKind } from '../model/description.js';
import { inkOf, type Normalization } from '../model/normalization.js';

export type Rgb = readonly [number, number, number];
/** Three stops from weak to strongest, after the neutral grey. */
export type Ramp = readonly [Rgb, Rgb, Rgb];

export interface Palette {
  /** Zero (diverging) and "none" (sequential): a grey that stands out from the background. */
  neutral: Rgb;
  /** Positive and strong: the diverging positive side and the whole sequential scale. */
  warm: Ramp;
  /** Negative: the diverging negative side. */
  cool: Ramp;
  /** Not yet reached by the tour (fainter than a computed zero, still visible). */
  ghost: Rgb;
  background: Rgb;
  /** Selected cube and its receptive field: a hue no value uses. */
  highlight: Rgb;
}

const hex = (h: string): Rgb => [
  parseInt(h.slice(1, 3), 16) / 255,
  parseInt(h.slice(3, 5), 16) / 255,
  parseInt(h.slice(5, 7), 16) / 255,
];

export const PALETTES: Record<'light' | 'dark', Palette> = {
  light: {
    neutral: hex('#c4c6ca'),
    warm: [hex('#f9b28f'), hex('#eb5a3c'), hex('#b3121d')],
    cool: [hex('#9ccae3'), hex('#3f8fcb'), hex('#1c4f9c')],
    ghost: hex('#e0e2e6'),
    background: hex('#f3f5f9'),
    highlight: hex('#12b76a'),
  },
  dark: {
    neutral: hex('#5c626d'),
    warm: [hex('#8e3327'), hex('#d8402a'), hex('#ff5e42')],
    cool: [hex('#2b5088'), hex('#3d82d6'), hex('#7ab8ff')],
    ghost: hex('#2a3245'),
    background: hex('#111c33'),
    highlight: hex('#3ddc97'),
  },
};

export type Scale = 'diverging' | 'sequential';

/** Kinds whose outputs can be negative. */
const SIGNED = new Set(['conv', 'dense', 'batchnorm', 'leakyrelu', 'tanh']);
/** Kinds whose outputs cannot be negative, or where only "more" matters (log-probabilities ≤ 0). */
const SEQUENTIAL = new Set(['input', 'relu', 'softmax', 'logsoftmax', 'sigmoid', 'saliency']);
/** Kinds with a fixed range, whatever this drawing's values: [lo, hi]. */
const FIXED: Record<string, readonly [number, number]> = {
  softmax: [0, 1],
  sigmoid: [0, 1],
  tanh: [-1, 1],
};

/** What the colours of a layer are drawn with: `saliency` for a saliency map. */
export type ColourKind = LayerKind | 'saliency';

/**
 * Which scale a layer's values use: from its kind, or for kinds that pass values through (pooling,
 * flatten) from the values themselves (sequential when none is negative).
 */
export function scaleFor(kind: ColourKind, values?: ArrayLike<number>): Scale {
  const k = kind as string;
  if (SIGNED.has(k)) return 'diverging';
  if (SEQUENTIAL.has(k) || !values) return 'sequential';
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return 'diverging';
  return 'sequential';
}

/** The numbers a colour scale is fitted to, for one layer and one drawing. */
export interface Domain {
  scale: Scale;
  /** The layer's actual smallest and largest values. */
  min: number;
  max: number;
  /** Values at strength 0 and 1: sequential [min(min, 0), max] (or fixed); diverging 0 and max |v|. */
  lo: number;
  hi: number;
}

export function domainFor(kind: ColourKind, values: ArrayLike<number>): Domain {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!values.length) min = max = 0;
  const scale = scaleFor(kind, values);
  const fixed = FIXED[kind as string];
  if (scale === 'diverging') {
    const hi = fixed ? fixed[1] : Math.max(Math.abs(min), Math.abs(max));
    return { scale, min, max, lo: 0, hi };
  }
  if (fixed) return { scale, min, max, lo: fixed[0], hi: fixed[1] };
  return { scale, min, max, lo: Math.min(min, 0), hi: max };
}

/** Strength 0–1 of `v` under a domain (diverging: of |v|). */
export function strengthOf(v: number, d: Domain): number {
  const t = d.scale === 'diverging' ? Math.abs(v) / (d.hi || 1) : (v - d.lo) / (d.hi - d.lo || 1);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/** Colour of a strength on a ramp from the neutral grey; writes r, g, b at `out[o..o+2]`. */
function rampInto(t: number, neutral: Rgb, ramp: Ramp, out: Float32Array | number[], o: number): void {
  // √t: small values already take on their side's hue
  const e = Math.sqrt(t) * 3;
  const k = e >= 3 ? 2 : Math.floor(e);
  const a = k === 0 ? neutral : ramp[k - 1];
  const b = ramp[k];
  const f = e >= 3 ? 1 : e - k;
  out[o] = a[0] + (b[0] - a[0]) * f;
  out[o + 1] = a[1] + (b[1] - a[1]) * f;
  out[o + 2] = a[2] + (b[2] - a[2]) * f;
}

/** Colour (r, g, b, 0–1) of one value under a domain. */
export function colourOf(v: number, d: Domain, palette: Palette): [number, number, number] {
  const out = [0, 0, 0];
  const ramp = d.scale === 'diverging' && v < 0 ? palette.cool : palette.warm;
  rampInto(strengthOf(v, d), palette.neutral, ramp, out, 0);
  return out as [number, number, number];
}

/**
 * Maps a layer's `values` to colours into `rgba` (4 floats per value; alpha = the value's strength
 * 0–1, from which the shader raises the cube) and the strengths into `strength`. Allocates nothing.
 */
export function colorize(
  values: ArrayLike<number>,
  kind: ColourKind,
  palette: Palette,
  rgba: Float32Array,
  strength: Float32Array,
): Domain {
  const d = domainFor(kind, values);
  const { neutral, warm, cool } = palette;
  const diverging = d.scale === 'diverging';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = strengthOf(v, d);
    rampInto(t, neutral, diverging && v < 0 ? cool : warm, rgba, 4 * i);
    rgba[4 * i + 3] = t;
    strength[i] = t;
  }
  return d;
}

/** A colour as CSS hex, `#rrggbb`. */
export const cssHex = (c: readonly number[]): string =>
  '#' +
  c
    .map((v) =>
      Math.round(v * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('');

/**
 * The palette's meanings as CSS colours, for the parts of the page that speak the same language as
 * the cubes (the probability bars, swatches in the narration, the legend): `strongest` is the
 * sequential scale's top (the winning probability, full ink), `negative` the diverging scale's bottom.
 */
export function paletteCss(theme: 'light' | 'dark'): {
  zero: string;
  weak: string;
  strongest: string;
  negative: string;
  ghost: string;
  highlight: string;
  background: string;
} {
  const p = PALETTES[theme];
  return {
    zero: cssHex(p.neutral),
    weak: cssHex(p.warm[0]),
    strongest: cssHex(p.warm[2]),
    negative: cssHex(p.cool[2]),
    ghost: cssHex(p.ghost),
    highlight: cssHex(p.highlight),
    background: cssHex(p.background),
  };
}

// ── legend ─────────────────────────────────────────────────────────────────────────────────────

export interface LegendTick {
  /** Position along the bar, 0 (left) – 1 (right). */
  offset: number;
  /** How to anchor the label at `offset` so it stays inside the bar's width. */
  align: 'start' | 'center' | 'end';
  value: number;
  label: string;
}

export interface Legend {
  scale: Scale;
  /** The layer's smallest and largest value for this drawing (ink 0–255 for the input, given `normalization`). */
  min: number;
  max: number;
  /** Where 0 (no ink, for the input) sits along the bar, 0–1. */
  zero: number;
  /** The bar runs from `from` to `to` (the layer's own numbers): min and max, widened to include 0 (no ink). */
  from: number;
  to: number;
  /** Colour stops along the bar: exactly the colours cubes of those values have. */
  stops: { offset: number; color: string }[];
  /** The stops as a CSS `linear-gradient(to right, …)`. */
  gradient: string;
  /** min, 0 and max formatted (3 significant digits, rounded to nearest, never outward). */
  labels: { min: string; zero: string; max: string };
  /** Tick marks to print under the bar: min, 0, max (0 once when it is the min or the max). */
  ticks: LegendTick[];
  /** What the colours mean, in a few words. */
  caption: string;
}

export interface LegendOptions {
  theme?: 'light' | 'dark';
  /**
   * For the input layer: show ink 0–255 instead of the normalised numbers the network reads (as its
   * cubes do: `inkOf`, per channel when the normalisation has `perChannel`).
   */
  normalization?: Normalization;
  /** With `normalization`: the model reads dark ink (`ModelDescription.input.ink`), p = 255 − ink. */
  ink?: 'bright' | 'dark';
  /** Colour stops along the bar (default 12). */
  steps?: number;
}

const css = (c: readonly number[]) =>
  `rgb(${Math.round(c[0] * 255)} ${Math.round(c[1] * 255)} ${Math.round(c[2] * 255)})`;

/**
 * A legend for a layer's colours in this drawing: the bar from the layer's real minimum to its
 * maximum (and 0), coloured exactly as its cubes are, with formatted labels. DOM-free: render it as
 * a `part="legend"` with `gradient` as the bar's background and `ticks` under it.
 */
export function legendFor(kind: ColourKind, values: ArrayLike<number>, options: LegendOptions = {}): Legend {
  const palette = PALETTES[options.theme ?? 'light'];
  // the input in ink units when the normalisation is known (as its cubes are coloured): 0 is no ink
  const n = kind === 'input' ? options.normalization : undefined;
  const d = domainFor(kind, n ? inkOf(values, n, options.ink) : values);
  const none = 0;
  const shown = (v: number) => (n ? Math.round(v) + 0 : v); // + 0: never −0
  const fmt = (v: number) => (n ? String(shown(v)) : formatNumber(v));

  const from = Math.min(d.min, none);
  const to = Math.max(d.max, none);
  const span = to - from || 1;
  const offset = (v: number) => (v - from) / span;
  const zero = offset(none) || 0; // never −0
  const steps = Math.max(2, options.steps ?? 12);
  const stops: Legend['stops'] = [];
  for (let s = 0; s <= steps; s++)
    stops.push({ offset: s / steps, color: css(colourOf(from + (span * s) / steps, d, palette)) });
  // a stop exactly at 0, so the neutral grey sits under the 0 tick
  if (from < none && none < to) {
    stops.push({ offset: zero, color: css(colourOf(none, d, palette)) });
    stops.sort((a, b) => a.offset - b.offset);
  }
  const gradient = `linear-gradient(to right, ${stops.map((s) => `${s.color} ${(s.offset * 100).toFixed(2)}%`).join(', ')})`;

  const labels = { min: fmt(d.min), zero: '0', max: fmt(d.max) };
  const ticks: Omit<LegendTick, 'align'>[] = [
    { offset: offset(d.min), value: shown(d.min), label: labels.min },
  ];
  if (d.max !== d.min) ticks.push({ offset: offset(d.max), value: shown(d.max), label: labels.max });
  // 0 gets its own tick unless the min or max label already sits there
  const apart = (v: number) => Math.abs(offset(v) - zero) > 0.12;
  if (labels.min !== '0' && labels.max !== '0' && apart(d.min) && apart(d.max))
    ticks.push({ offset: zero, value: 0, label: '0' });
  ticks.sort((a, b) => a.offset - b.offset);

  const caption =
    kind === 'input'
      ? n
        ? 'ink 0–255: grey none → red full'
        : 'input: grey none → red most ink'
      : kind === 'softmax'
        ? 'probability: grey 0 → red 1'
        : kind === 'logsoftmax'
          ? 'log-probability: grey lowest → red highest (0 = certain)'
          : kind === 'saliency'
            ? 'how much each pixel mattered: grey none → red most'
            : d.scale === 'diverging'
              ? 'blue below 0 · grey 0 · red above 0'
              : 'grey 0 → red strongest';
  const aligned = ticks.map((t): LegendTick => ({
    ...t,
    align: t.offset < 0.1 ? 'start' : t.offset > 0.9 ? 'end' : 'center',
  }));
  return {
    scale: d.scale,
    min: shown(d.min),
    max: shown(d.max),
    zero,
    from,
    to,
    stops,
    gradient,
    labels,
    ticks: aligned,
    caption,
  };
}

// ── saliency overlay ───────────────────────────────────────────────────────────────────────────

/**
 * A saliency map as RGBA bytes for a canvas overlay (`new ImageData(out, width)`, drawn over the
 * draw pad, scaled up with smoothing): the sequential warm ramp, transparent where nothing mattered,
 * most opaque where most did, scaled to the map's maximum. Softened by a 3 × 3 blur (`blur: false`
 * to keep it sharp) so it glows around the strokes instead of hiding under them.
 */
export function saliencyOverlay(
  map: ArrayLike<number>,
  options: { theme?: 'light' | 'dark'; width?: number; blur?: boolean } = {},
  out: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(4 * map.length),
): Uint8ClampedArray<ArrayBuffer> {
  const palette = PALETTES[options.theme ?? 'light'];
  const W = options.width ?? Math.round(Math.sqrt(map.length));
  const H = Math.floor(map.length / W);
  const soft = new Float32Array(map.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (options.blur === false) {
        soft[y * W + x] = Math.max(0, map[y * W + x]);
        continue;
      }
      let sum = 0;
      let weight = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= H || xx >= W) continue;
          const w = (2 - Math.abs(dx)) * (2 - Math.abs(dy));
          sum += w * Math.max(0, map[yy * W + xx]);
          weight += w;
        }
      soft[y * W + x] = sum / weight;
    }
  let max = 0;
  for (let i = 0; i < soft.length; i++) if (soft[i] > max) max = soft[i];
  const rgb = [0, 0, 0];
  for (let i = 0; i < soft.length; i++) {
    const t = max > 0 ? soft[i] / max : 0;
    // from the ramp's first stop up (grey would read as "zero", not as "nothing to show")
    rampInto(1 / 9 + (8 / 9) * t, palette.neutral, palette.warm, rgb, 0);
    out[4 * i] = rgb[0] * 255;
    out[4 * i + 1] = rgb[1] * 255;
    out[4 * i + 2] = rgb[2] * 255;
    out[4 * i + 3] = t > 0.02 ? 255 * (0.2 + 0.7 * Math.sqrt(t)) : 0;
  }
  return out;
}
