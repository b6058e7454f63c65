/**
 * A conv or pooling layer's window, per axis: from the description's `kernelShape` / `strides` /
 * `pads` (models read from ONNX), else its square `kernel` / `stride` / `padding` (cnn.json).
 */
import type { LayerDescription } from '../model/description.js';

export interface Window {
  height: number;
  width: number;
  strideY: number;
  strideX: number;
  /** Zero padding before the first row and column (the bottom/right padding only adds positions). */
  top: number;
  left: number;
}

export function windowOf(layer: LayerDescription, kernel?: [number, number]): Window {
  const k = layer.kernel ?? 1;
  const [height, width] = kernel ?? layer.kernelShape ?? [k, k];
  const [strideY, strideX] = layer.strides ?? [layer.stride ?? 1, layer.stride ?? 1];
  const [top, left] = layer.pads ?? [layer.padding ?? 0, layer.padding ?? 0];
  return { height, width, strideY, strideX, top, left };
}
