/**
 * The part of the drawing a number depends on: its receptive field traced back through every layer
 * to the input's pixels (what the panel outlines on the draw pad). DOM-free.
 */
import type { LayerDescription, ModelDescription } from '../model/description.js';
import { cellOf, geometryOf } from './position.js';
import type { PixelBox } from './types.js';
import { windowOf } from './window.js';

/** Kinds that read one window per output position (kernel, stride, padding from the description). */
const WINDOWED = new Set(['conv', 'maxpool', 'avgpool']);
/** Kinds that read the same position of the layer before. */
const ELEMENTWISE = new Set(['relu', 'leakyrelu', 'sigmoid', 'tanh', 'batchnorm']);

/** Inclusive box of input pixels that number `index` of `layer` depends on (the whole image if all). */
export function inputField(model: ModelDescription, layer: string, index: number): PixelBox {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const input = model.layers[0];
  const gIn = geometryOf(input.shape);
  const whole: PixelBox = { top: 0, left: 0, bottom: gIn.height - 1, right: gIn.width - 1 };
  let l: LayerDescription | undefined = byName.get(layer);
  if (!l) throw new RangeError(`no layer named ${layer}`);
  const g = geometryOf(l.shape);
  if (!g.isMap) return whole;
  const c = cellOf(g, index);
  let box: PixelBox = { top: c.row, left: c.col, bottom: c.row, right: c.col };
  while (l && l.kind !== 'input') {
    const kind = l.kind as string;
    if (WINDOWED.has(kind)) {
      const w = windowOf(l);
      const src = geometryOf(byName.get(l.from ?? '')?.shape ?? []);
      box = {
        top: Math.max(0, box.top * w.strideY - w.top),
        left: Math.max(0, box.left * w.strideX - w.left),
        bottom: Math.min(src.height - 1, box.bottom * w.strideY - w.top + w.height - 1),
        right: Math.min(src.width - 1, box.right * w.strideX - w.left + w.width - 1),
      };
    } else if (!ELEMENTWISE.has(kind)) {
      return whole;
    }
    l = byName.get(l.from ?? '');
  }
  return box;
}
