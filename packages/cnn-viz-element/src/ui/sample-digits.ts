import { css, html, LitElement } from 'lit';
import { emitInternal } from '../features/events.js';
import { inputToRgba } from '../model/fit.js';
import { INPUT_SIZE } from '../model/preprocess.js';
import { SAMPLE_DIGITS, samplePixels, type SampleDigit } from '../model/samples.js';

/**
 * A row of real MNIST digits: one click (or Enter/Space) loads one into the visualizer, so a reader
 * can try it without drawing. Fires `cnn-sample` with `{ label, pixels }` (28×28, 255 = ink: the
 * element resizes them for a model of another shape, into every channel of a colour model).
 * Internal part.
 */
export class CnnSampleDigits extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    button {
      padding: 0;
      border: 1px solid var(--cnn-border, rgba(0, 0, 0, 0.15));
      border-radius: 6px;
      background: var(--cnn-pad-background, #fff);
      cursor: pointer;
      line-height: 0;
    }
    button:hover {
      border-color: var(--cnn-accent, #2563eb);
    }
    button:focus-visible {
      outline: 3px solid var(--cnn-accent, #2563eb);
      outline-offset: 1px;
    }
    img {
      width: 32px;
      height: 32px;
      image-rendering: pixelated;
    }
  `;

  private readonly urls = SAMPLE_DIGITS.map((s) => toDataUrl(samplePixels(s)));

  override render() {
    return html`<ul aria-label="Sample digits from the MNIST test set">
      ${SAMPLE_DIGITS.map(
        (s, i) =>
          html`<li>
            <button type="button" title="Try a handwritten ${s.label}" @click=${() => this.pick(s)}>
              <img src=${this.urls[i]} alt="handwritten ${s.label}" />
            </button>
          </li>`,
      )}
    </ul>`;
  }

  private pick(s: SampleDigit) {
    emitInternal(this, 'cnn-sample', { label: s.label, pixels: samplePixels(s) });
  }
}

/** A sample as a small picture: ink dark on white, as the draw pad shows it. */
function toDataUrl(pixels: Uint8Array): string {
  const c = document.createElement('canvas');
  c.width = c.height = INPUT_SIZE;
  const rgba = inputToRgba(pixels, { channels: 1, height: INPUT_SIZE, width: INPUT_SIZE }, 'paper');
  c.getContext('2d')!.putImageData(new ImageData(rgba, INPUT_SIZE, INPUT_SIZE), 0, 0);
  return c.toDataURL();
}

if (!customElements.get('cnn-sample-digits')) customElements.define('cnn-sample-digits', CnnSampleDigits);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-sample-digits': CnnSampleDigits;
  }
}
