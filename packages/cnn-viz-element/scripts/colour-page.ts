// Bundled by colour-check.ts and run in Chromium: the renderer alone, real activations, one view per
// call, with the legend of a layer drawn as HTML next to it (as the element's part="legend" would).
import type { Activations } from '../src/inference/activations.js';
import type { ModelDescription } from '../src/model/description.js';
import { legendFor, saliencyOverlay } from '../src/render/colormap.js';
import { NetworkView, type CameraGoal } from '../src/render/network-view.js';

interface Shot {
  theme: 'light' | 'dark';
  goal: CameraGoal;
  legend: string[];
  saliency?: number[];
  width: number;
  height: number;
}

function render(model: ModelDescription, acts: Activations, shot: Shot): void {
  document.body.innerHTML = '';
  const dark = shot.theme === 'dark';
  document.body.style.cssText = `margin:0;font:12px system-ui;background:${dark ? '#0b1220' : '#fff'};color:${dark ? '#e2e8f0' : '#0f172a'}`;
  const c = document.createElement('canvas');
  c.style.cssText = `width:${shot.width}px;height:${shot.height}px;display:block`;
  document.body.appendChild(c);
  const view = new NetworkView(c, model, { theme: shot.theme, reducedMotion: true });
  view.setActivations(acts);
  view.focus(shot.goal, 0);
  view.renderOnce();
  const box = document.createElement('div');
  box.style.cssText = 'display:flex;gap:18px;flex-wrap:wrap;padding:8px';
  document.body.appendChild(box);
  for (const name of shot.legend) {
    const l = model.layers.find((x) => x.name === name)!;
    const values = acts.layers.find((x) => x.name === name)!.data;
    const g = legendFor(l.kind, values, { theme: shot.theme, normalization: model.input.normalization });
    const el = document.createElement('div');
    el.style.cssText = 'width:220px';
    el.innerHTML =
      `<div><b>${name}</b> · ${g.caption}</div>` +
      `<div style="height:12px;border-radius:3px;background:${g.gradient}"></div>` +
      `<div style="position:relative;height:16px">${g.ticks
        .map(
          (t) =>
            `<span style="position:absolute;left:${t.offset * 100}%;transform:translateX(${t.align === 'start' ? '0' : t.align === 'end' ? '-100%' : '-50%'})">${t.label}</span>`,
        )
        .join('')}</div>`;
    box.appendChild(el);
  }
  if (shot.saliency) {
    const pad = document.createElement('canvas');
    pad.width = pad.height = 28;
    pad.style.cssText = 'width:168px;height:168px;image-rendering:auto;background:#fff;border:1px solid #ccc';
    const ctx = pad.getContext('2d')!;
    const ink = new Uint8ClampedArray(784 * 4);
    const input = acts.layers[0].data;
    const { scale, mean, std } = model.input.normalization;
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round((input[i] * std + mean) / scale);
      ink.set([v, v, v, 255], 4 * i);
    }
    const inkCanvas = document.createElement('canvas');
    inkCanvas.width = inkCanvas.height = 28;
    inkCanvas.getContext('2d')!.putImageData(new ImageData(ink, 28), 0, 0);
    const over = document.createElement('canvas');
    over.width = over.height = 28;
    over
      .getContext('2d')!
      .putImageData(new ImageData(saliencyOverlay(shot.saliency, { theme: shot.theme }), 28), 0, 0);
    ctx.drawImage(inkCanvas, 0, 0);
    ctx.drawImage(over, 0, 0);
    box.appendChild(pad);
  }
}

(globalThis as unknown as { renderShot: typeof render }).renderShot = render;
