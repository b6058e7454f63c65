// Drawing on the element's pad the way a reader does: real mouse events sent through Playwright.
import { sendMouse } from '@web/test-runner-commands';
import type { CnnVisualizer } from '../../../src/index.js';

export const padCanvas = (el: CnnVisualizer): HTMLCanvasElement =>
  el.shadowRoot!.querySelector('cnn-draw-pad')!.shadowRoot!.querySelector('canvas')!;

/** Draws polylines given in pad units (0–1) with real mouse events. */
export async function drawStrokes(
  el: CnnVisualizer,
  strokes: [number, number][][],
  substeps = 6,
): Promise<void> {
  const r = padCanvas(el).getBoundingClientRect();
  const at = ([x, y]: [number, number]): [number, number] => [
    Math.round(r.left + x * r.width),
    Math.round(r.top + y * r.height),
  ];
  for (const stroke of strokes) {
    await sendMouse({ type: 'move', position: at(stroke[0]) });
    await sendMouse({ type: 'down' });
    for (let i = 1; i < stroke.length; i++) {
      const [x0, y0] = stroke[i - 1];
      const [x1, y1] = stroke[i];
      for (let s = 1; s <= substeps; s++) {
        const f = s / substeps;
        await sendMouse({ type: 'move', position: at([x0 + (x1 - x0) * f, y0 + (y1 - y0) * f]) });
      }
    }
    await sendMouse({ type: 'up' });
  }
}
