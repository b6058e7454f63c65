/**
 * Pooling: a window of one channel reduced to its maximum (with the winner marked) or its mean.
 * Global pooling's window is the whole channel.
 */
import { base, sourceOf, type Context } from './context.js';
import { indexOf } from './position.js';
import type { Cell, PoolExplanation } from './types.js';
import { windowOf } from './window.js';

export function explainPool(ctx: Context): PoolExplanation {
  const src = sourceOf(ctx);
  const kind = ctx.layer.kind as PoolExplanation['operation'];
  const global = kind === 'globalmaxpool' || kind === 'globalavgpool';
  const { height: H, width: W } = src.geometry;
  // a global pool's output may be [C, 1, 1] or [C]
  const channel = ctx.geometry.isMap ? ctx.cell.channel : ctx.index;
  const win = global ? { height: H, width: W, strideY: 1, strideX: 1, top: 0, left: 0 } : windowOf(ctx.layer);
  const r0 = global ? 0 : ctx.cell.row * win.strideY - win.top;
  const c0 = global ? 0 : ctx.cell.col * win.strideX - win.left;
  const indices: number[] = [];
  const cells: Cell[] = [];
  for (let y = r0; y < r0 + win.height; y++) {
    for (let x = c0; x < c0 + win.width; x++) {
      if (y < 0 || x < 0 || y >= H || x >= W) continue; // padding is never the max
      indices.push(indexOf(src.geometry, channel, y, x));
      cells.push({ channel, row: y, col: x });
    }
  }
  const common = base(ctx, kind, indices, cells);
  const window = {
    height: win.height,
    width: win.width,
    stride: [win.strideY, win.strideX] as [number, number],
    padding: [win.top, win.left] as [number, number],
  };
  if (kind === 'maxpool' || kind === 'globalmaxpool') {
    let winner = 0;
    common.inputs.values.forEach((v, i) => {
      if (v > common.inputs.values[winner]) winner = i;
    });
    return { ...common, window, winner };
  }
  // ONNX AveragePool divides by the positions on the map unless count_include_pad; then by the
  // window's positions within the padded map (a ceil-mode window's overhang beyond it never counts)
  let count = indices.length;
  if (ctx.layer.countIncludePad && !global) {
    const [, , bottom, right] = ctx.layer.pads ?? [0, 0, ctx.layer.padding ?? 0, ctx.layer.padding ?? 0];
    const rows = Math.min(r0 + win.height, H + bottom) - Math.max(r0, -win.top);
    const cols = Math.min(c0 + win.width, W + right) - Math.max(c0, -win.left);
    count = rows * cols;
  }
  return { ...common, window, count, weights: indices.map(() => 1 / count), bias: 0 };
}
