import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Kernels } from '../features/training.js';
import type { CheckpointDescription } from '../model/description.js';
import { colourOf, PALETTES, type Domain } from '../render/colormap.js';
import { emitInternal } from '../features/events.js';

/** How a moment of training reads, e.g. "after 200 steps (12,800 images)". */
export function momentLabel(c: CheckpointDescription, last: boolean): string {
  const n = (x: number) => x.toLocaleString('en');
  if (c.step === 0) return 'before training: random weights';
  const images = c.images ? ` (${n(c.images)} images)` : '';
  const epochs = Number.isInteger(c.epoch) && c.epoch > 0 ? `${c.epoch} epoch${c.epoch > 1 ? 's' : ''}` : '';
  if (last) return `fully trained: ${epochs || `${n(c.step)} steps`}${images}`;
  return epochs ? `after ${epochs}${images}` : `after ${n(c.step)} steps${images}`;
}

export const percent = (a: number): string => `${(a * 100).toFixed(a >= 0.99 ? 2 : 1)}%`;

/**
 * "How it learned": a slider over the model's moments of training, the chosen one's test accuracy,
 * and its first convolution's kernels as small images (blue negative, grey 0, red positive — the 3D
 * view's colours). Fires `cnn-checkpoint-choose` `{ index }` inside the element's shadow root.
 * Internal part of `<cnn-visualizer>`.
 */
export class CnnTrainingPanel extends LitElement {
  static override properties = {
    checkpoints: { attribute: false },
    index: { type: Number },
    kernels: { attribute: false },
    busy: { type: Boolean },
    message: {},
    theme: {},
  };

  checkpoints: CheckpointDescription[] = [];
  index = 0;
  kernels?: Kernels;
  busy = false;
  message = '';
  theme: 'light' | 'dark' = 'light';

  static override styles = css`
    :host {
      display: block;
      font-size: 0.9em;
    }
    .head {
      display: flex;
      justify-content: space-between;
      gap: 0.5em;
      align-items: baseline;
      flex-wrap: wrap;
    }
    .title {
      font-weight: 600;
    }
    .accuracy {
      font-variant-numeric: tabular-nums;
    }
    input[type='range'] {
      width: 100%;
      margin: 0.35em 0 0.1em;
      accent-color: var(--cnn-accent, #2563eb);
    }
    .moment,
    .note {
      color: var(--cnn-muted, #64748b);
      min-height: 1.3em;
    }
    .kernels {
      display: flex;
      gap: 4px;
      flex-wrap: wrap;
      align-items: center;
      margin-top: 0.35em;
    }
    canvas {
      width: 34px;
      height: 34px;
      image-rendering: pixelated;
      border: 1px solid var(--cnn-border, #cbd5e1);
      border-radius: 2px;
    }
    .kernels span {
      color: var(--cnn-muted, #64748b);
      margin-left: 0.25em;
    }
    .busy {
      opacity: 0.6;
    }
  `;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('kernels') || changed.has('theme')) this.paint();
  }

  /** Each kernel as one pixel per weight, on one colour scale for the row. */
  private paint() {
    const k = this.kernels;
    if (!k) return;
    const palette = PALETTES[this.theme];
    const domain: Domain = { scale: 'diverging', min: -k.range, max: k.range, lo: 0, hi: k.range };
    const canvases = this.renderRoot.querySelectorAll('canvas');
    k.kernels.forEach((w, i) => {
      const canvas = canvases[i];
      const ctx = canvas?.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(k.size, k.size);
      for (let p = 0; p < w.length; p++) {
        const [r, g, b] = colourOf(w[p], domain, palette);
        img.data.set([r * 255, g * 255, b * 255, 255], 4 * p);
      }
      ctx.putImageData(img, 0, 0);
    });
  }

  private choose(e: Event) {
    emitInternal(this, 'cnn-checkpoint-choose', { index: Number((e.target as HTMLInputElement).value) });
  }

  override render() {
    const c = this.checkpoints;
    if (c.length < 2) return nothing;
    const i = Math.max(0, Math.min(c.length - 1, this.index));
    const m = c[i];
    const label = momentLabel(m, i === c.length - 1);
    const k = this.kernels;
    return html`
      <div class="head">
        <span class="title" id="title">How it learned</span>
        <span class="accuracy ${this.busy ? 'busy' : ''}"
          >${percent(m.testAccuracy)} right on the test set</span
        >
      </div>
      <input
        type="range"
        min="0"
        max=${c.length - 1}
        step="1"
        .value=${String(i)}
        aria-labelledby="title"
        aria-valuetext="${label}, ${percent(m.testAccuracy)} right"
        @input=${this.choose}
      />
      <div class="moment" aria-live="polite">${label}</div>
      ${
        k
          ? html`<div class="kernels" title="The first layer's ${k.kernels.length} filters at this moment">
              ${k.kernels.map(() => html`<canvas width=${k.size} height=${k.size}></canvas>`)}
              <span>${k.layer}'s filters (red +, blue −)</span>
            </div>`
          : nothing
      }
      ${this.message ? html`<div class="note" role="status">${this.message}</div>` : nothing}
    `;
  }
}

if (!customElements.get('cnn-training-panel')) customElements.define('cnn-training-panel', CnnTrainingPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-training-panel': CnnTrainingPanel;
  }
}
