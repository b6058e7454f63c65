/**
 * Turns a hand-drawn digit into the 28×28 image a network trained on MNIST expects.
 *
 * MNIST's digits were not simply shrunk to 28×28: each one was cropped to its ink, scaled so its
 * larger side is 20 px (keeping the aspect ratio, with anti-aliasing, so strokes become grey at
 * their edges) and then placed in a 28×28 frame so that its centre of mass sits at pixel (14, 14).
 * A drawing that skips these steps — a small digit in a corner of a big canvas, say — looks nothing
 * like what the network was trained on and is misclassified. {@link preprocess} repeats MNIST's
 * steps for any greyscale image, {@link rgbaToGray} gets such an image out of a canvas, and
 * {@link normalize} turns the result into the network's input tensor.
 *
 * Everything here is plain TypeScript without DOM types, so the same code runs in the browser and on
 * a Node server, and gives the same pixels in both.
 *
 * @example
 * ```ts
 * const ctx = canvas.getContext('2d')!;
 * const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
 * const gray = rgbaToGray(data, canvas.width, canvas.height); // transparent → white
 * const result = preprocess(gray, { polarity: 'dark-on-light' });
 * if (!result.empty) {
 *   const input = normalize(result.pixels); // Float32Array, 1×1×28×28
 * }
 * ```
 *
 * @module
 */
import type { Normalization } from './normalization.js';
import { applyNormalization } from './normalization.js';
import { axisTable, buildAxis } from './resample.js';

/**
 * A greyscale image: one value from 0 to 255 per pixel, row by row from the top-left corner
 * (`data[y * width + x]`). Values outside 0–255 are clamped; `data` may be any array-like
 * (`Uint8Array`, `Uint8ClampedArray`, `Float32Array`, a plain array…).
 */
export interface GrayImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Options for {@link preprocess}. All are optional; the defaults suit a canvas drawn with a mouse or a finger. */
export interface PreprocessOptions {
  /**
   * Which way round the image is.
   * - `'light-on-dark'` (default): bright ink on a dark background, MNIST's own convention (255 = ink).
   * - `'dark-on-light'`: dark ink on a light background, like black strokes on a white canvas.
   */
  polarity?: 'light-on-dark' | 'dark-on-light';
  /**
   * Ink level, 0–255 measured after applying {@link PreprocessOptions.polarity} (so 255 is always
   * full ink), at or below which a pixel counts as background. Such pixels are ignored entirely —
   * for finding the digit's bounding box and for the picture itself — which removes a slightly
   * off-white or noisy background. Default 20.
   */
  threshold?: number;
  /**
   * How much must be drawn before the drawing counts as a digit: both the larger side of the ink's
   * bounding box (in source pixels) and the number of ink pixels must be at least this. Anything
   * less — a stray click, a dot, a few specks — gives an `empty` result instead of a guess.
   * Default: 2% of the image's larger side, and at least 3 (3 px for a 28×28 image, 6 px for
   * 280×280).
   */
  minInkPixels?: number;
  /**
   * How the digit is moved so its centre of mass lands on pixel (14, 14).
   * - `'subpixel'` (default): by a fractional amount, folded into the same area-averaging resample
   *   that scales the digit (no extra blur). The centre of mass lands on (14, 14) up to rounding.
   * - `'integer'`: by whole pixels, as MNIST itself did, so the scaled 20-px box stays aligned to
   *   the pixel grid; the centre of mass lands within half a pixel of (14, 14).
   */
  centering?: 'subpixel' | 'integer';
  /**
   * Brighten the result so its strongest pixel is 255 (default `true`). A stroke drawn with a thin
   * pen averages to grey when a big canvas is shrunk to 20 px; MNIST's strokes reach full ink, so
   * stretching makes faint drawings look like what the network knows. Set to `false` to keep the
   * averaged levels.
   */
  stretchContrast?: boolean;
}

/** A bounding box in source-image pixels: it covers columns `x … x + width − 1` and rows `y … y + height − 1`. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The outcome of {@link preprocess}: either nothing worth classifying (`empty: true`, with a short
 * human-readable `reason` you may show to the reader), or the MNIST-style picture.
 */
export type Preprocessed =
  | { empty: true; reason: string }
  | {
      empty: false;
      /** 784 bytes: the 28×28 picture, row by row, 255 = ink (MNIST's convention). A new array on every call. */
      pixels: Uint8Array;
      /** Where the ink was found in the source image (pixels above the threshold), in source pixels. */
      boundingBox: Box;
      /**
       * The ink's centre of mass in the source image, in the same coordinates as `boundingBox`
       * (pixel (x, y) spans x…x+1 and y…y+1, so a lone pixel's centre is (x + 0.5, y + 0.5)). Handy
       * for drawing an overlay on the canvas; in `pixels` this point sits at pixel (14, 14).
       */
      centerOfMass: { x: number; y: number };
      /**
       * Where the 28×28 picture lies in the source image: its pixel (u, v) covers source
       * coordinates x = frame.x + u / frame.scale, y = frame.y + v / frame.scale (for tracing a
       * number back onto the drawing).
       */
      frame: Frame;
    };

/**
 * An input's place in a source image (the draw pad): its pixel (u, v) covers source coordinates
 * x = frame.x + u / scale, y = frame.y + v / scaleY.
 */
export interface Frame {
  x: number;
  y: number;
  scale: number;
  /** The vertical scale when it differs from `scale` (a picture resized to a non-square input). */
  scaleY?: number;
  /** The input's size in pixels (default 28 × 28). */
  width?: number;
  height?: number;
}

/** Side of the input MNIST-style models take (28×28 pixels). */
export const INPUT_SIZE = 28;
const SIZE = INPUT_SIZE;
/** Side of the box the digit's larger side is scaled to. */
const BOX = 20;
/** Where the centre of mass goes, in continuous coordinates: the middle of pixel 14. */
const CENTER = 14.5;

const NOTHING_DRAWN = 'nothing drawn';
const TOO_LITTLE = 'too little drawn to be a digit';

// Scratch tables reused across calls: preprocess runs on every stroke, so it allocates only the
// 784-byte result (and grows these buffers when a bigger image comes along).
const axisX = axisTable(SIZE);
const axisY = axisTable(SIZE);
let rowsScratch = new Float64Array(0);
const outScratch = new Float64Array(SIZE * SIZE);

/**
 * Prepares a drawing the way MNIST's digits were prepared, ready for {@link normalize}:
 *
 * 1. Read the image as ink (255 = ink), flipping it first for `'dark-on-light'`; pixels at or below
 *    the threshold are background.
 * 2. Find the ink's bounding box. No ink, or too little (see {@link PreprocessOptions.minInkPixels}),
 *    gives `{ empty: true, reason }` — one pixel or a small dot is not a digit.
 * 3. Crop to the box and scale it so its larger side is 20 px, keeping the aspect ratio, by area
 *    averaging (a 280-px canvas shrinks 10× and its strokes turn into soft grey lines, as in MNIST).
 * 4. Place it in a 28×28 frame with its centre of mass at pixel (14, 14) — to a fraction of a pixel
 *    by default, or by whole pixels (see {@link PreprocessOptions.centering}). If that would push
 *    part of the 20-px box out of the frame (a digit whose mass is far to one side), it is moved back
 *    just enough to keep all of it in, and the centre of mass ends up slightly off (14, 14).
 * 5. Optionally stretch the levels so the brightest pixel is 255.
 *
 * The image itself is not modified. Cost is one pass over the image plus one over the bounding box;
 * apart from the returned 784-byte array nothing is allocated in the steady state.
 *
 * @throws RangeError if `width`/`height` are not positive integers or `data` is shorter than `width × height`.
 */
export function preprocess(image: GrayImage, options: PreprocessOptions = {}): Preprocessed {
  const { width: W, height: H, data } = image;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) {
    throw new RangeError(`preprocess: image size must be positive integers, got ${W}×${H}`);
  }
  if (data.length < W * H) {
    throw new RangeError(`preprocess: ${W}×${H} image needs ${W * H} values, got ${data.length}`);
  }
  const dark = options.polarity === 'dark-on-light';
  if (options.polarity !== undefined && !dark && options.polarity !== 'light-on-dark') {
    throw new RangeError(`preprocess: unknown polarity ${String(options.polarity)}`);
  }
  const threshold = Math.max(0, options.threshold ?? 20);
  const minInk = options.minInkPixels ?? Math.max(3, Math.round(0.02 * Math.max(W, H)));
  const integer = options.centering === 'integer';
  const stretch = options.stretchContrast ?? true;

  // Pass 1: bounding box, ink count and centre of mass of the pixels above the threshold.
  let minX = W;
  let minY = H;
  let maxX = -1;
  let maxY = -1;
  let count = 0;
  let mass = 0;
  let momentX = 0;
  let momentY = 0;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    let rowMass = 0;
    for (let x = 0; x < W; x++) {
      let v = data[row + x];
      if (dark) v = 255 - v;
      if (!(v > threshold)) continue; // also skips NaN
      if (v > 255) v = 255;
      count++;
      rowMass += v;
      momentX += v * x;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    }
    if (rowMass > 0) {
      mass += rowMass;
      momentY += rowMass * y;
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  if (count === 0) return { empty: true, reason: NOTHING_DRAWN };
  const boxW = maxX - minX + 1;
  const boxH = maxY - minY + 1;
  if (Math.max(boxW, boxH) < minInk || count < minInk) return { empty: true, reason: TOO_LITTLE };

  // Continuous coordinates: pixel k spans [k, k + 1), so its centre is k + 0.5.
  const comX = momentX / mass + 0.5;
  const comY = momentY / mass + 0.5;
  const s = BOX / Math.max(boxW, boxH);

  // Where the box starts in the 28×28 frame (u = (x − x0)·s), chosen to put the centre of mass at
  // CENTER, then clamped so the whole box stays inside the frame.
  const place = (com: number, start: number, extent: number): number => {
    let u = CENTER - (com - start) * s;
    const span = extent * s;
    if (integer) u = Math.min(Math.max(Math.round(u), 0), Math.floor(SIZE - span + 1e-9));
    else u = Math.min(Math.max(u, 0), SIZE - span);
    return start - u / s; // x0: the source coordinate of the frame's left (top) edge
  };
  const x0 = place(comX, minX, boxW);
  const y0 = place(comY, minY, boxH);
  buildAxis(axisX, x0, s, minX, maxX + 1);
  buildAxis(axisY, y0, s, minY, maxY + 1);

  // Pass 2, horizontal: each source row of the box → 28 columns.
  if (rowsScratch.length < boxH * SIZE) rowsScratch = new Float64Array(boxH * SIZE);
  const rows = rowsScratch;
  const { start: sx, count: cx, taps: tx, weights: wx } = axisX;
  for (let y = minY; y <= maxY; y++) {
    const src = y * W;
    const dst = (y - minY) * SIZE;
    for (let i = 0; i < SIZE; i++) {
      let acc = 0;
      const k0 = sx[i];
      const n = cx[i];
      const wb = i * tx;
      for (let t = 0; t < n; t++) {
        let v = data[src + k0 + t];
        if (dark) v = 255 - v;
        if (!(v > threshold)) continue;
        if (v > 255) v = 255;
        acc += v * wx[wb + t];
      }
      rows[dst + i] = acc;
    }
  }

  // Pass 3, vertical: 28 output rows from the box's rows.
  const { start: sy, count: cy, taps: ty, weights: wy } = axisY;
  const out = outScratch;
  let max = 0;
  for (let j = 0; j < SIZE; j++) {
    const r0 = (sy[j] - minY) * SIZE;
    const n = cy[j];
    const wb = j * ty;
    for (let i = 0; i < SIZE; i++) {
      let acc = 0;
      for (let t = 0; t < n; t++) acc += rows[r0 + t * SIZE + i] * wy[wb + t];
      out[j * SIZE + i] = acc;
      if (acc > max) max = acc;
    }
  }
  if (max <= 0) return { empty: true, reason: TOO_LITTLE }; // cannot happen with ink in the box, but never divide by zero

  const gain = stretch ? 255 / max : 1;
  const pixels = new Uint8Array(SIZE * SIZE);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const v = Math.round(out[p] * gain);
    pixels[p] = v > 255 ? 255 : v;
  }
  return {
    empty: false,
    pixels,
    boundingBox: { x: minX, y: minY, width: boxW, height: boxH },
    centerOfMass: { x: comX, y: comY },
    frame: { x: x0, y: y0, scale: s, width: SIZE, height: SIZE },
  };
}

/**
 * Converts RGBA pixels — a canvas's `ImageData.data`, four values 0–255 per pixel, not
 * premultiplied — into a {@link GrayImage}, using luminance (ITU-R BT.601: 0.299 R + 0.587 G +
 * 0.114 B, as most image libraries do).
 *
 * Transparent and half-transparent pixels are composited over `background`: a freshly cleared
 * canvas is fully transparent, so without this its "black" (0, 0, 0, 0) pixels would read as ink.
 * The default, 255 (white), suits dark ink on a light page (`'dark-on-light'`); pass 0 when you draw
 * light ink on a transparent canvas shown over a dark background (`'light-on-dark'`).
 *
 * @param out Optional buffer of at least `width × height` bytes to write into instead of allocating.
 * @throws RangeError if `rgba` is shorter than `width × height × 4` or `out` is too small.
 */
export function rgbaToGray(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  background = 255,
  out?: Uint8Array,
): GrayImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`rgbaToGray: size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (rgba.length < n * 4)
    throw new RangeError(`rgbaToGray: ${width}×${height} needs ${n * 4} values, got ${rgba.length}`);
  const data = out ?? new Uint8Array(n);
  if (data.length < n) throw new RangeError(`rgbaToGray: out holds ${data.length} values, needs ${n}`);
  for (let p = 0, q = 0; p < n; p++, q += 4) {
    const a = rgba[q + 3] / 255;
    const lum = 0.299 * rgba[q] + 0.587 * rgba[q + 1] + 0.114 * rgba[q + 2];
    const v = Math.round(lum * a + background * (1 - a));
    data[p] = v < 0 ? 0 : v > 255 ? 255 : v; // a Uint8Array would wrap out-of-range values
  }
  return { width, height, data };
}

export type { Normalization } from './normalization.js';

/**
 * The normalisation used to train the bundled LeNet-5 (and most MNIST models): pixels scaled to
 * 0–1, then standardised with MNIST's training-set mean 0.1307 and standard deviation 0.3081.
 */
export const MNIST_NORMALIZATION: Readonly<Normalization> = Object.freeze({
  scale: 1 / 255,
  mean: 0.1307,
  std: 0.3081,
});

/**
 * Turns input bytes (255 = ink) — the 784 from {@link preprocess}, or C × H × W for a model of
 * another shape — into the network's input, a `Float32Array` laid out like the tensor, computing
 * `x = (p · scale − mean) / std` for each value (with `perChannel`, each channel plane its own mean
 * and std). A model trained on dark ink inverts first: see `normalizeInput` in
 * `cnn-visualizer/description`.
 *
 * @param norm Defaults to {@link MNIST_NORMALIZATION}; pass your own for a model trained differently.
 * @param out Buffer to write into instead of allocating (worth reusing when classifying on every
 *   stroke); needs at least `pixels.length` entries, of which the first `pixels.length` are written.
 * @returns `out` if given, otherwise a new array.
 * @throws RangeError if `out` is too small, or `pixels` do not split into the per-channel planes.
 */
export function normalize(
  pixels: Uint8Array,
  norm: Normalization = MNIST_NORMALIZATION,
  out?: Float32Array,
): Float32Array {
  return applyNormalization(pixels, norm, 'bright', out);
}
