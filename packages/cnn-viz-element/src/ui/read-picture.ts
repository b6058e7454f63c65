/**
 * Reads the pictures a page may give `setInput()` — an `ImageData`, a canvas (`HTMLCanvasElement`,
 * `OffscreenCanvas`), an `HTMLImageElement` or an `ImageBitmap` — as RGBA pixels at their own size.
 */
import type { RgbaImage } from '../model/fit.js';

/** Everything `setInput()` takes as a picture. */
export type PictureSource = ImageData | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | ImageBitmap;

const has = (name: string) => typeof (globalThis as Record<string, unknown>)[name] === 'function';

/** Whether `value` is a picture `readPicture` can read (rather than an array of input bytes). */
export function isPicture(value: unknown): value is PictureSource {
  return (
    (has('ImageData') && value instanceof ImageData) ||
    (has('HTMLCanvasElement') && value instanceof HTMLCanvasElement) ||
    (has('OffscreenCanvas') && value instanceof OffscreenCanvas) ||
    (has('HTMLImageElement') && value instanceof HTMLImageElement) ||
    (has('ImageBitmap') && value instanceof ImageBitmap)
  );
}

/**
 * The picture's RGBA pixels at its own size (an image is decoded first if it has not loaded yet).
 * Rejects in words for an image that cannot load, an empty canvas, or a picture from another
 * origin without CORS (the browser does not let a page read its pixels).
 */
export async function readPicture(source: PictureSource): Promise<RgbaImage> {
  if (source instanceof ImageData) return source;
  if (source instanceof HTMLImageElement) {
    try {
      await source.decode();
    } catch (e) {
      throw new Error(`setInput: the image ${source.currentSrc || source.src || ''} could not be loaded`, {
        cause: e,
      });
    }
  }
  const width = source instanceof HTMLImageElement ? source.naturalWidth : source.width;
  const height = source instanceof HTMLImageElement ? source.naturalHeight : source.height;
  if (!width || !height)
    throw new RangeError(`setInput: the picture is ${width}×${height}: it has no pixels`);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0);
  try {
    return ctx.getImageData(0, 0, width, height);
  } catch (e) {
    throw new Error(
      'setInput: the browser does not let the page read this picture (it comes from another origin ' +
        `without CORS: serve it with Access-Control-Allow-Origin and set crossorigin="anonymous"): ${(e as Error).message}`,
      { cause: e },
    );
  }
}
