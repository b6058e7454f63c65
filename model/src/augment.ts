/**
 * Data augmentation for drawn digits. MNIST digits were scanned from pen on paper; readers draw with a
 * mouse, a finger or a pen, after our preprocessing has centred and scaled them the MNIST way. What
 * remains different is small shifts (centre of mass vs. box), slant, size and above all stroke
 * thickness — so those are what we vary. Every choice comes from the caller's seeded `rng`.
 */
import type { Rng } from './random.ts';

export interface AugmentSettings {
  /** Probability that a sample is augmented at all. */
  probability: number;
  /** Maximum rotation, degrees (uniform in ±). */
  rotateDeg: number;
  /** Maximum relative change of size (uniform in ±), e.g. 0.12 → 0.88…1.12. */
  scale: number;
  /** Maximum horizontal shear (uniform in ±): slant. */
  shear: number;
  /** Maximum shift in pixels (uniform in ±), each axis. */
  shift: number;
  /** Probability of thickening strokes (grey-level dilation), and of thinning them (erosion). */
  thicken: number;
  thin: number;
}

export const DEFAULT_AUGMENT: AugmentSettings = {
  probability: 0.9,
  rotateDeg: 12,
  scale: 0.12,
  shear: 0.2,
  shift: 2,
  thicken: 0.3,
  thin: 0.15,
};

const SIZE = 28;
const C = (SIZE - 1) / 2;

/**
 * Writes an augmented copy of the 28×28 byte image at `src[srcOff…]` into `dst` as floats 0–255.
 * `tmp` is a scratch buffer of 784 floats (so nothing is allocated per sample).
 */
export function augmentInto(
  src: Uint8Array,
  srcOff: number,
  dst: Float64Array,
  tmp: Float64Array,
  rng: Rng,
  s: AugmentSettings,
): void {
  if (rng() >= s.probability) {
    for (let i = 0; i < SIZE * SIZE; i++) dst[i] = src[srcOff + i];
    return;
  }
  const angle = ((rng() * 2 - 1) * s.rotateDeg * Math.PI) / 180;
  const scale = 1 + (rng() * 2 - 1) * s.scale;
  const shear = (rng() * 2 - 1) * s.shear;
  const dx = (rng() * 2 - 1) * s.shift;
  const dy = (rng() * 2 - 1) * s.shift;
  // forward map: p' = R · Sh · S · (p − c) + c + d; we sample the source at the inverse of each output pixel
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // M = R · [[1, shear], [0, 1]] · scale
  const m00 = cos * scale;
  const m01 = (cos * shear - sin) * scale;
  const m10 = sin * scale;
  const m11 = (sin * shear + cos) * scale;
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  for (let y = 0; y < SIZE; y++) {
    const ry = y - C - dy;
    for (let x = 0; x < SIZE; x++) {
      const rx = x - C - dx;
      const sx = i00 * rx + i01 * ry + C;
      const sy = i10 * rx + i11 * ry + C;
      tmp[y * SIZE + x] = bilinear(src, srcOff, sx, sy);
    }
  }
  const r = rng();
  if (r < s.thicken) morph(tmp, dst, 0.35 + 0.65 * rng(), true);
  else if (r < s.thicken + s.thin) morph(tmp, dst, 0.2 + 0.4 * rng(), false);
  else dst.set(tmp);
}

function pixel(src: Uint8Array, off: number, x: number, y: number): number {
  return x < 0 || y < 0 || x >= SIZE || y >= SIZE ? 0 : src[off + y * SIZE + x];
}

function bilinear(src: Uint8Array, off: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const top = pixel(src, off, x0, y0) * (1 - fx) + pixel(src, off, x0 + 1, y0) * fx;
  const bottom = pixel(src, off, x0, y0 + 1) * (1 - fx) + pixel(src, off, x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * Grey-level dilation (thicker strokes) or erosion (thinner) over a plus-shaped neighbourhood,
 * blended with the original by `amount` so the thickness varies continuously.
 */
function morph(src: Float64Array, dst: Float64Array, amount: number, dilate: boolean): void {
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const v = src[i];
      const l = x > 0 ? src[i - 1] : 0;
      const r = x < SIZE - 1 ? src[i + 1] : 0;
      const u = y > 0 ? src[i - SIZE] : 0;
      const d = y < SIZE - 1 ? src[i + SIZE] : 0;
      const e = dilate ? Math.max(v, l, r, u, d) : Math.min(v, l, r, u, d);
      dst[i] = v + amount * (e - v);
    }
  }
}
