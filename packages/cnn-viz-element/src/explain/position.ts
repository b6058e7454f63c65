/** Flat indices ↔ (channel, row, column) for a layer's shape, channel-major as ONNX's NCHW. DOM-free. */
import type { Cell } from './types.js';

/** The layer's geometry: [C, H, W] maps as they are; vectors [N] as 1 × N × 1 with `isMap` false. */
export interface Geometry {
  channels: number;
  height: number;
  width: number;
  isMap: boolean;
  size: number;
}

export function geometryOf(shape: readonly number[]): Geometry {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 3) return { channels: shape[0], height: shape[1], width: shape[2], isMap: true, size };
  return { channels: 1, height: 1, width: size, isMap: false, size };
}

export function cellOf(g: Geometry, index: number): Cell {
  if (!g.isMap) return { channel: 0, row: -1, col: index };
  const plane = g.height * g.width;
  const channel = Math.floor(index / plane);
  const rest = index - channel * plane;
  return { channel, row: Math.floor(rest / g.width), col: rest % g.width };
}

export function indexOf(g: Geometry, channel: number, row: number, col: number): number {
  return (channel * g.height + row) * g.width + col;
}
