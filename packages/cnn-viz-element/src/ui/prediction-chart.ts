import { css, html, LitElement } from 'lit';
import { argmax } from '../model/argmax.js';

/**
 * The prediction in words and a bar per class. The sentence is an `aria-live` region, so screen
 * readers announce each new prediction. Internal part of `<cnn-visualizer>`.
 */
export class CnnPredictionChart extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .verdict {
      font-size: 1.1em;
      min-height: 1.6em;
      margin: 0 0 0.5em;
    }
    .verdict strong {
      font-size: 1.5em;
      color: var(--cnn-winner, #b3121d);
      font-variant-numeric: tabular-nums;
    }
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(10, 1fr);
      gap: 4px;
      align-items: end;
      height: 84px;
    }
    li {
      display: flex;
      flex-direction: column;
      justify-content: flex-end;
      align-items: stretch;
      height: 100%;
      font-variant-numeric: tabular-nums;
    }
    .bar {
      background: var(--cnn-bar, #cbd5e1);
      border-radius: 3px 3px 0 0;
      min-height: 2px;
      transition: height 120ms ease-out;
    }
    li.winner .bar {
      background: var(--cnn-winner, #b3121d);
    }
    .label {
      text-align: center;
      font-size: 0.85em;
      color: var(--cnn-muted, #6b7280);
      padding-top: 2px;
    }
    li.winner .label {
      color: inherit;
      font-weight: 600;
    }
    @media (prefers-reduced-motion: reduce) {
      .bar {
        transition: none;
      }
    }
  `;

  static override properties = {
    probabilities: { attribute: false },
    classes: { attribute: false },
    message: { type: String },
  };

  /** One probability per class, or null when nothing is drawn. */
  probabilities: ArrayLike<number> | null = null;
  classes: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  /** Shown instead of a prediction (e.g. "Draw a digit"). */
  message = 'Draw a digit, or pick a sample below.';

  override render() {
    const p = this.probabilities;
    const best = p ? argmax(p) : -1;
    return html`
      <p class="verdict" part="verdict" aria-live="polite" aria-atomic="true">
        ${
          p && best >= 0
            ? html`The network sees <strong>${this.classes[best]}</strong>
                <span>(${(p[best] * 100).toFixed(p[best] > 0.999 ? 1 : 0)}% sure)</span>`
            : this.message
        }
      </p>
      <ol part="bars" aria-label="Probability of each digit">
        ${this.classes.map(
          (c, i) =>
            html`<li class=${i === best ? 'winner' : ''}>
              <div
                class="bar"
                style="height:${p ? Math.max(2, p[i] * 64).toFixed(1) : 2}px"
                role="img"
                aria-label=${p ? `${c}: ${(p[i] * 100).toFixed(1)}%` : c}
              ></div>
              <span class="label">${c}</span>
            </li>`,
        )}
      </ol>
    `;
  }
}

if (!customElements.get('cnn-prediction-chart'))
  customElements.define('cnn-prediction-chart', CnnPredictionChart);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-prediction-chart': CnnPredictionChart;
  }
}
