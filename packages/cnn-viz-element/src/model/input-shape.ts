/**
 * The shape of the picture a model reads — channels (1 grey, 3 colour), height and width — and the
 * limits the element supports: what the draw pad, `setInput()` and saliency size their pictures by.
 * DOM-free.
 */

/** A model's input per sample: `channels × height × width` values. */
export interface InputShape {
  channels: number;
  height: number;
  width: number;
}

/** The largest input side the element draws and explains (the renderer's readable limit). */
export const MAX_INPUT_SIDE = 64;

/** MNIST's format: one channel of 28×28 pixels (the draw pad centres a digit as MNIST did for it). */
export const isMnistShape = (s: InputShape): boolean => s.channels === 1 && s.height === 28 && s.width === 28;

/** Values in one input: C × H × W. */
export const inputValues = (s: InputShape): number => s.channels * s.height * s.width;

/** `3×32×32` */
export const formatShape = (s: InputShape): string => `${s.channels}×${s.height}×${s.width}`;

/**
 * Reads a description's per-sample input shape `[C, H, W]`; throws an Error saying what is supported
 * (1 or 3 channels, sides from 1 to {@link MAX_INPUT_SIDE}) when it is anything else.
 */
export function inputShape(shape: readonly number[]): InputShape {
  const [channels, height, width] = shape;
  const ok =
    shape.length === 3 &&
    (channels === 1 || channels === 3) &&
    [height, width].every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_INPUT_SIDE);
  if (!ok)
    throw new Error(
      `this model reads ${shape.join('×')} inputs: pictures of 1 (grey) or 3 (colour) channels, at most ` +
        `${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE} pixels, are supported`,
    );
  return { channels, height, width };
}
