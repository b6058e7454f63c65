/**
 * Colour maps for activations, written in place into RGBA float buffers (no allocation).
 *
 * - Diverging (blue → neutral → red) for values that can be negative: convolution and dense outputs
 *   before their ReLU. Scaled by the layer's largest magnitude, so 0 is always neutral.
 * - Sequential (neutral → accent) for values that cannot: the input, ReLU, pooling, probabilities.
 *   Scaled from the layer's minimum to its maximum (probabilities: 0 to 1).
 */
import type { LayerKind } from '../model/description.js';

export type Rgb = readonly [number, number, number];

export interface Palette {
  /** Colour of 0 (diverging) or of the minimum (sequential). */
  neutral: Rgb;
  negative: Rgb;
  positive: Rgb;
  /** Sequential ramp: from `neutral` through `low` to `high`. */
  low: Rgb;
  high: Rgb;
  /** Not yet reached by the tour. */
  ghost: Rgb;
  background: Rgb;
  highlight: Rgb;
}

const hex = (h: string): Rgb => [
  parseInt(h.slice(1, 3), 16) / 255,
  parseInt(h.slice(3, 5), 16) / 255,
  parseInt(h.slice(5, 7), 16) / 255,
];

export const PALETTES: Record<'light' | 'dark', Palette> = {
  light: {
    neutral: hex('#e2e8f0'),
    negative: hex('#2563eb'),
    positive: hex('#dc2626'),
    low: hex('#93c5fd'),
    high: hex('#1e3a8a'),
    ghost: hex('#e9edf3'),
    background: hex('#f3f5f9'),
    highlight: hex('#f59e0b'),
  },
  dark: {
    neutral: hex('#334155'),
    negative: hex('#60a5fa'),
    positive: hex('#f87171'),
    low: hex('#0e7490'),
    high: hex('#fde047'),
    ghost: hex('#1e293b'),
    background: hex('#111c33'),
    highlight: hex('#f59e0b'),
  },
};

export type Scale = 'diverging' | 'sequential' | 'probability';

/** Which scale a layer's values use, from its kind alone. */
export function scaleFor(kind: LayerKind): Scale {
  if (kind === 'conv' || kind === 'dense') return 'diverging';
  if (kind === 'softmax') return 'probability';
  return 'sequential';
}

/**
 * Maps `values` to colours into `rgba` (4 floats per value; alpha = the value's strength 0–1) and
 * the strengths into `strength`. Returns nothing; allocates nothing.
 */
export function colorize(
  values: ArrayLike<number>,
  scale: Scale,
  palette: Palette,
  rgba: Float32Array,
  strength: Float32Array,
): void {
  const n = values.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (scale === 'probability') {
    lo = 0;
    hi = 1;
  }
  const absMax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const range = hi - lo || 1;
  const { neutral, negative, positive, low, high } = palette;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let r: number;
    let g: number;
    let b: number;
    let t: number;
    if (scale === 'diverging') {
      t = Math.min(1, Math.abs(v) / absMax);
      const e = Math.sqrt(t); // lift small values so structure stays visible
      const to = v < 0 ? negative : positive;
      r = neutral[0] + (to[0] - neutral[0]) * e;
      g = neutral[1] + (to[1] - neutral[1]) * e;
      b = neutral[2] + (to[2] - neutral[2]) * e;
    } else {
      t = Math.min(1, Math.max(0, (v - lo) / range));
      if (t < 0.02) {
        r = neutral[0];
        g = neutral[1];
        b = neutral[2];
      } else {
        const e = Math.sqrt(t);
        r = low[0] + (high[0] - low[0]) * e;
        g = low[1] + (high[1] - low[1]) * e;
        b = low[2] + (high[2] - low[2]) * e;
      }
    }
    rgba[4 * i] = r;
    rgba[4 * i + 1] = g;
    rgba[4 * i + 2] = b;
    rgba[4 * i + 3] = t;
    strength[i] = t;
  }
}
