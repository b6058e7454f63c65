/**
 * A convolution output: the kernel of its output channel laid over a window of the input channels,
 * `value = Σ patch × kernel + bias`. Grouped convolutions read their group's channels only.
 */
import { base, sourceOf, type Context } from './context.js';
import { weightAndBias } from './params.js';
import { indexOf } from './position.js';
import type { Cell, ConvExplanation } from './types.js';
import { windowOf } from './window.js';

export function explainConv(ctx: Context): ConvExplanation {
  const src = sourceOf(ctx);
  const { weight, bias } = weightAndBias(ctx.layer, ctx.weights);
  const [outChannels, perGroup, kh, kw] = weight.dims;
  if (weight.dims.length !== 4 || !kh || !kw)
    throw new Error(`conv ${ctx.layer.name}: expected a [out, in, kh, kw] kernel, got [${weight.dims}]`);
  const groups = Math.max(1, Math.round(src.geometry.channels / perGroup));
  const { channel, row, col } = ctx.cell;
  const firstChannel = Math.floor(channel / (outChannels / groups)) * perGroup;
  const win = windowOf(ctx.layer, [kh, kw]);
  const kernelSize = perGroup * kh * kw;
  const kernel = Array.from(weight.data.subarray(channel * kernelSize, (channel + 1) * kernelSize));
  const indices: number[] = [];
  const cells: Cell[] = [];
  const taps: Cell[] = [];
  const w: number[] = [];
  const patch: (number | null)[] = new Array(kernelSize).fill(null);
  for (let c = 0; c < perGroup; c++) {
    for (let ky = 0; ky < kh; ky++) {
      const y = row * win.strideY - win.top + ky;
      for (let kx = 0; kx < kw; kx++) {
        const x = col * win.strideX - win.left + kx;
        if (y < 0 || x < 0 || y >= src.geometry.height || x >= src.geometry.width) continue;
        const i = indexOf(src.geometry, firstChannel + c, y, x);
        const k = (c * kh + ky) * kw + kx;
        indices.push(i);
        cells.push({ channel: firstChannel + c, row: y, col: x });
        taps.push({ channel: c, row: ky, col: kx });
        w.push(kernel[k]);
        patch[k] = src.values[i];
      }
    }
  }
  const b = bias ? bias.data[channel] : 0;
  const common = base(ctx, 'conv', indices, cells);
  let sum = b;
  for (let i = 0; i < w.length; i++) sum += common.inputs.values[i] * w[i];
  return {
    ...common,
    weights: w,
    bias: b,
    sum,
    kernel: {
      firstChannel,
      channels: perGroup,
      height: kh,
      width: kw,
      values: kernel,
      stride: [win.strideY, win.strideX],
      padding: [win.top, win.left],
    },
    taps,
    patch,
  };
}
