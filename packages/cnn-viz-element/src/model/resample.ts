/**
 * Resampling one image axis at a time: for each output pixel, a run of source indices and their
 * weights. Shrinking averages areas exactly (a thin stroke becomes a grey one rather than vanishing);
 * enlarging interpolates bilinearly. What MNIST-style preprocessing and the plain fit-and-resize of
 * pictures for any model both scale with. DOM-free.
 */

/** One axis: output pixel `i` reads `count[i]` source indices from `start[i]`, weights at `i · taps`. */
export interface AxisTable {
  start: Int32Array;
  count: Int32Array;
  taps: number;
  weights: Float64Array;
}

/** An empty table for `size` output pixels (filled by {@link buildAxis}, reusable). */
export function axisTable(size: number): AxisTable {
  return { start: new Int32Array(size), count: new Int32Array(size), taps: 0, weights: new Float64Array(0) };
}

/**
 * Fills `table` so that output pixel `i` (covering `[i, i+1)` in output coordinates) averages the
 * source over `[x0 + i/s, x0 + (i+1)/s)`, where the source is zero outside `[lo, hi)` — or, with
 * `clamp`, repeats its edge pixels there (a whole picture resized: no dark rim when enlarging).
 *
 * Shrinking (`s ≤ 1`) uses exact area-averaging: each source pixel weighs by how much of it the
 * output pixel covers. Enlarging (`s > 1`) uses bilinear interpolation, which is smoother than the
 * blocky result area-averaging gives there. The two agree at `s = 1`.
 */
export function buildAxis(
  table: AxisTable,
  x0: number,
  s: number,
  lo: number,
  hi: number,
  clamp = false,
): void {
  const size = table.start.length;
  const inv = 1 / s;
  const taps = s <= 1 ? Math.ceil(inv) + 2 : 2;
  if (table.weights.length < size * taps) table.weights = new Float64Array(size * taps);
  table.taps = taps;
  const w = table.weights;
  for (let i = 0; i < size; i++) {
    const base = i * taps;
    let k0: number;
    let k1: number; // exclusive
    if (s <= 1) {
      const a = x0 + i * inv;
      const b = a + inv;
      k0 = Math.max(lo, Math.floor(a));
      k1 = Math.min(hi, Math.ceil(b));
      for (let k = k0; k < k1; k++) w[base + k - k0] = (Math.min(b, k + 1) - Math.max(a, k)) * s;
    } else {
      let xc = x0 + (i + 0.5) * inv - 0.5; // output pixel centre, in source index coordinates
      if (clamp) xc = Math.min(Math.max(xc, lo), hi - 1);
      const kf = Math.floor(xc);
      const t = xc - kf;
      k0 = Math.max(lo, kf);
      k1 = Math.min(hi, kf + 2);
      for (let k = k0; k < k1; k++) w[base + k - k0] = k === kf ? 1 - t : t;
    }
    table.start[i] = k0;
    table.count[i] = Math.max(0, k1 - k0);
  }
}

/**
 * Resizes a whole image to `width × height` (every source pixel used, the aspect ratio not kept,
 * as `Resize((H, W))` does in torchvision and Keras). The source holds `step` values per pixel, row
 * by row; channel `c` of the result (a plane of `width × height`, channel-major) reads the value at
 * `offsets[c]` of each source pixel.
 *
 * @returns `offsets.length` planes, row by row, as unrounded numbers.
 */
export function resizeImage(
  src: ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  step: number,
  offsets: readonly number[],
  width: number,
  height: number,
): Float64Array {
  if (src.length < srcWidth * srcHeight * step)
    throw new RangeError(
      `a ${srcWidth}×${srcHeight} image needs ${srcWidth * srcHeight * step} values, got ${src.length}`,
    );
  const ax = axisTable(width);
  const ay = axisTable(height);
  buildAxis(ax, 0, width / srcWidth, 0, srcWidth, true);
  buildAxis(ay, 0, height / srcHeight, 0, srcHeight, true);
  const out = new Float64Array(offsets.length * width * height);
  const rows = new Float64Array(srcHeight * width);
  offsets.forEach((offset, c) => {
    // horizontal: each source row → `width` columns
    for (let y = 0; y < srcHeight; y++) {
      const row = y * srcWidth;
      for (let i = 0; i < width; i++) {
        let acc = 0;
        const k0 = ax.start[i];
        const wb = i * ax.taps;
        for (let t = 0; t < ax.count[i]; t++) acc += src[(row + k0 + t) * step + offset] * ax.weights[wb + t];
        rows[y * width + i] = acc;
      }
    }
    // vertical: `height` rows from the source rows
    const plane = c * width * height;
    for (let j = 0; j < height; j++) {
      const r0 = ay.start[j] * width;
      const wb = j * ay.taps;
      for (let i = 0; i < width; i++) {
        let acc = 0;
        for (let t = 0; t < ay.count[j]; t++) acc += rows[r0 + t * width + i] * ay.weights[wb + t];
        out[plane + j * width + i] = acc;
      }
    }
  });
  return out;
}
