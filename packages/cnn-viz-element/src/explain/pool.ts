/**
 * Pooling: a window of one channel reduced to its maximum (with the winner marked) or its mean.
 * Global pooling's window is the whole channel.
 */
import { base, sourceOf, type Context } from './context.js';
import { indexOf } from './position.js';
import type { Cell, PoolExplanation } from './types.js';

export function explainPool(ctx: Context): PoolExplanation {
  const src = sourceOf(ctx);
  const kind = ctx.layer.kind as PoolExplanation['operation'];
  const global = kind === 'globalmaxpool' || kind === 'globalavgpool';
  const { height: H, width: W } = src.geometry;
  // a global pool's output may be [C, 1, 1] or [C]
  const channel = ctx.geometry.isMap ? ctx.cell.channel : ctx.index;
  const k = ctx.layer.kernel ?? 1;
  const window = global
    ? { height: H, width: W, stride: 1, padding: 0 }
    : { height: k, width: k, stride: ctx.layer.stride ?? k, padding: ctx.layer.padding ?? 0 };
  const r0 = global ? 0 : ctx.cell.row * window.stride - window.padding;
  const c0 = global ? 0 : ctx.cell.col * window.stride - window.padding;
  const indices: number[] = [];
  const cells: Cell[] = [];
  for (let y = r0; y < r0 + window.height; y++) {
    for (let x = c0; x < c0 + window.width; x++) {
      if (y < 0 || x < 0 || y >= H || x >= W) continue; // padding is never the max, nor counted
      indices.push(indexOf(src.geometry, channel, y, x));
      cells.push({ channel, row: y, col: x });
    }
  }
  const common = base(ctx, kind, indices, cells);
  if (kind === 'maxpool' || kind === 'globalmaxpool') {
    let winner = 0;
    common.inputs.values.forEach((v, i) => {
      if (v > common.inputs.values[winner]) winner = i;
    });
    return { ...common, window, winner };
  }
  const count = indices.length;
  return { ...common, window, count, weights: indices.map(() => 1 / count), bias: 0 };
}
