/**
 * Input for any model: the draw pad's drawing, a sample digit or a page's picture, as the C × H × W
 * bytes (255 = ink, channel by channel) a model of that shape reads — and those bytes back as a
 * picture to show. DOM-free.
 *
 * - A drawing for a 1×28×28 model is prepared as MNIST's digits were ({@link preprocess}: cropped,
 *   scaled to 20 px, centred by mass). For any other shape the whole pad is resized to H × W (area
 *   averaging, no cropping or centring: what the reader sees on the pad is what the model gets,
 *   smaller); the ink goes into every channel of a colour model.
 * - A picture is resized to H × W (as is when it already has that size; every pixel used, the aspect
 *   ratio not kept, like `Resize((H, W))`), its colour kept for 3 channels and its luminance taken for
 *   1. Its values reach the model as they are: for a model with bright ink (the default), the
 *   picture's brightness is the ink; with dark ink, 255 − brightness is. Transparent parts are the
 *   model's background (no ink).
 */
import { formatShape, inputValues, isMnistShape, type InputShape } from './input-shape.js';
import { INPUT_SIZE, preprocess, type Frame, type GrayImage } from './preprocess.js';
import { resizeImage } from './resample.js';

export type Ink = 'bright' | 'dark';

/** An input made for a model: its bytes and where it lies on the source (the pad) it came from. */
export type FittedInput =
  { empty: true; reason: string } | { empty: false; pixels: Uint8Array; frame: Frame };

/** RGBA pixels, four values 0–255 per pixel, not premultiplied (a canvas's `ImageData`). */
export interface RgbaImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Ink at or below this (0–255) is paper: the pad's anti-aliasing specks are not a drawing. */
const THRESHOLD = 20;

/** Where a whole `sourceWidth × sourceHeight` image resized to the input lies on that image. */
export function wholeFrame(shape: InputShape, sourceWidth: number, sourceHeight: number): Frame {
  return {
    x: 0,
    y: 0,
    scale: shape.width / sourceWidth,
    scaleY: shape.height / sourceHeight,
    width: shape.width,
    height: shape.height,
  };
}

/**
 * The drawing on a pad (`polarity` as in {@link preprocess}; the element's pad is `dark-on-light`)
 * as the input of a model of `shape`: MNIST-style for 1×28×28, the whole pad resized otherwise.
 */
export function fitDrawing(
  image: GrayImage,
  shape: InputShape,
  polarity: 'light-on-dark' | 'dark-on-light' = 'dark-on-light',
): FittedInput {
  if (isMnistShape(shape)) return preprocess(image, { polarity });
  const { width, height, data } = image;
  const dark = polarity === 'dark-on-light';
  const ink = new Float32Array(width * height);
  let any = false;
  for (let p = 0; p < ink.length; p++) {
    const v = Math.min(255, Math.max(0, dark ? 255 - data[p] : data[p]));
    ink[p] = v > THRESHOLD ? v : 0;
    any ||= v > THRESHOLD;
  }
  if (!any) return { empty: true, reason: 'nothing drawn' };
  const grey = resizeImage(ink, width, height, 1, [0], shape.width, shape.height);
  return { empty: false, pixels: toBytes(grey, shape.channels), frame: wholeFrame(shape, width, height) };
}

/** A 28×28 MNIST sample (255 = ink) for a model of `shape`: as is, or resized into every channel. */
export function fitSample(pixels: Uint8Array, shape: InputShape): Uint8Array {
  if (isMnistShape(shape)) return pixels;
  const grey = resizeImage(pixels, INPUT_SIZE, INPUT_SIZE, 1, [0], shape.width, shape.height);
  return toBytes(grey, shape.channels);
}

/**
 * A page's picture (RGBA of any size) as the input of a model of `shape` whose ink is `ink`: colour
 * kept for 3 channels, luminance (ITU-R BT.601) for 1, transparent parts the model's background.
 */
export function fitPicture(picture: RgbaImage, shape: InputShape, ink: Ink = 'bright'): Uint8Array {
  const { width, height, data } = picture;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError(`the picture is ${width}×${height}: it has no pixels`);
  if (data.length < width * height * 4)
    throw new RangeError(
      `a ${width}×${height} picture needs ${width * height * 4} RGBA values, got ${data.length}`,
    );
  const background = ink === 'dark' ? 255 : 0; // no ink, in the model's own values
  const C = shape.channels;
  const values = new Float32Array(width * height * C);
  for (let p = 0; p < width * height; p++) {
    const q = 4 * p;
    const a = data[q + 3] / 255;
    const over = (v: number) => v * a + background * (1 - a);
    if (C === 1) values[p] = over(0.299 * data[q] + 0.587 * data[q + 1] + 0.114 * data[q + 2]);
    else for (let c = 0; c < 3; c++) values[p * 3 + c] = over(data[q + c]);
  }
  const offsets = C === 1 ? [0] : [0, 1, 2];
  const planes = resizeImage(values, width, height, C, offsets, shape.width, shape.height);
  // the model reads these values as they are: as ink bytes, dark ink is 255 − value
  if (ink === 'dark') for (let i = 0; i < planes.length; i++) planes[i] = 255 - planes[i];
  return toBytes(planes, 1);
}

/**
 * Input bytes given as they are (`setInput(Uint8Array)`): checked to be exactly C × H × W values,
 * rounded and clamped to 0–255, copied.
 */
export function inputBytes(values: ArrayLike<number>, shape: InputShape): Uint8Array {
  const n = inputValues(shape);
  if (values.length !== n) {
    const layout = shape.channels === 1 ? `${shape.height}×${shape.width}` : formatShape(shape);
    throw new RangeError(
      `setInput expects ${n} values (${layout}, 0–255, 255 = ink) for this model, got ${values.length}`,
    );
  }
  return Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v))));
}

/**
 * Input bytes as a picture to show (RGBA, H × W): `paper` shows ink dark on white, as drawn on the
 * pad (every channel's ink subtracted from white: a drawing in all channels is black); `picture`
 * shows the values the model reads (a page's picture as it was given).
 */
export function inputToRgba(
  pixels: ArrayLike<number>,
  shape: InputShape,
  view: 'paper' | 'picture',
  ink: Ink = 'bright',
): Uint8ClampedArray<ArrayBuffer> {
  const plane = shape.width * shape.height;
  const rgba = new Uint8ClampedArray(plane * 4);
  const invert = view === 'paper' || ink === 'dark';
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[(shape.channels === 1 ? 0 : c) * plane + p];
      rgba[4 * p + c] = invert ? 255 - v : v;
    }
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

/** Resized planes (0–255, unrounded) → bytes, the first plane repeated into `copies` channels. */
function toBytes(planes: Float64Array, copies: number): Uint8Array {
  const out = new Uint8Array(planes.length * copies);
  for (let i = 0; i < planes.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(planes[i])));
  for (let c = 1; c < copies; c++) out.copyWithin(c * planes.length, 0, planes.length);
  return out;
}
