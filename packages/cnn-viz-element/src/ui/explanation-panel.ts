import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { formatNumber as f } from '../explain/format.js';
import { formula, place } from '../explain/formula.js';
import type { ConvExplanation, DenseExplanation, Explanation, PoolExplanation } from '../explain/types.js';
import type { Activations } from '../inference/activations.js';
import { colourOf, domainFor, PALETTES, type Domain } from '../render/colormap.js';

const OPERATION: Record<Explanation['operation'], string> = {
  input: 'a pixel of your drawing',
  conv: 'convolution: a weighted sum of a window',
  dense: 'dense: a weighted sum of every input',
  maxpool: 'max pooling: the largest of a window',
  avgpool: 'average pooling: the mean of a window',
  globalmaxpool: 'global max pooling: the largest of a whole map',
  globalavgpool: 'global average pooling: the mean of a whole map',
  relu: 'ReLU: negatives become 0',
  leakyrelu: 'leaky ReLU: negatives shrink',
  sigmoid: 'sigmoid: squashed into 0…1',
  tanh: 'tanh: squashed into −1…1',
  batchnorm: 'batch normalisation: rescaled',
  softmax: 'softmax: a score becomes a probability',
  logsoftmax: 'log-softmax: the log of a probability',
  flatten: 'flatten: the same number, in a row',
};

/** At most this many input channels of a convolution are drawn as grids. */
const MAX_CHANNELS = 6;

/**
 * How one cube was computed, with this drawing's numbers: the operation in words, the arithmetic,
 * and a picture of it (a convolution's patch beside its kernel, a dense unit's largest
 * contributions, a pooling window with its winner). Internal part of `<cnn-visualizer>`.
 */
export class CnnExplanationPanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-size: 12.5px;
      line-height: 1.4;
    }
    h4 {
      margin: 0 0 2px;
      font-size: 13px;
    }
    .op {
      color: var(--cnn-muted, #6b7280);
      margin: 0 0 6px;
    }
    .formula {
      font-variant-numeric: tabular-nums;
      margin: 0 0 6px;
      overflow-wrap: anywhere;
    }
    .grids {
      display: grid;
      grid-template-columns: auto auto;
      gap: 4px 10px;
      justify-content: start;
      align-items: center;
    }
    .grid {
      display: grid;
      gap: 1px;
    }
    .grid span {
      width: 9px;
      height: 9px;
      border-radius: 1px;
    }
    .grid span.win {
      outline: 2px solid var(--cnn-highlight, #16a34a);
      outline-offset: -1px;
    }
    .caption {
      color: var(--cnn-muted, #6b7280);
      font-size: 11px;
    }
    table {
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    td {
      padding: 0 6px 0 0;
      white-space: nowrap;
    }
    td.num {
      text-align: right;
    }
  `;

  static override properties = {
    explanation: { attribute: false },
    activations: { attribute: false },
    theme: {},
  };

  explanation: Explanation | null = null;
  /** The drawing's activations: a patch is coloured exactly as its layer's cubes are. */
  activations: Activations | null = null;
  theme: 'light' | 'dark' = 'light';

  override render() {
    const e = this.explanation;
    if (!e) return nothing;
    return html`
      <h4>${e.layer} · ${place(e.cell, e.label)}</h4>
      <p class="op">${OPERATION[e.operation]}</p>
      <p class="formula">${formula(e)}</p>
      ${this.picture(e)}
    `;
  }

  private picture(e: Explanation): TemplateResult | typeof nothing {
    if (e.operation === 'conv') return this.conv(e);
    if (e.operation === 'dense') return this.dense(e);
    if (e.operation === 'maxpool' || e.operation === 'avgpool') return this.pool(e);
    return nothing;
  }

  /** The colour scale of a layer's cubes, for drawing some of its values as they look in 3D. */
  private domainOf(layer: string): Domain | undefined {
    const l = this.activations?.layers.find((x) => x.name === layer);
    return l ? domainFor(l.kind, l.data) : undefined;
  }

  private grid(
    values: (number | null)[],
    width: number,
    domainOrSigned?: Domain | boolean,
    win = -1,
  ): TemplateResult {
    const palette = PALETTES[this.theme];
    const present = values.filter((v): v is number => v !== null);
    const domain =
      typeof domainOrSigned === 'object'
        ? domainOrSigned
        : domainFor(
            (domainOrSigned ?? present.some((v) => v < 0)) ? 'conv' : 'relu',
            present.length ? present : [0],
          );
    return html`<div class="grid" style="grid-template-columns:repeat(${width}, 9px)">
      ${values.map((v, i) => {
        if (v === null)
          return html`<span
            style="background:transparent;outline:1px dashed currentColor;opacity:.3"
            title="padding"
          ></span>`;
        const [r, g, b] = colourOf(v, domain, palette);
        return html`<span
          class=${i === win ? 'win' : ''}
          style="background:rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})"
          title=${f(v)}
        ></span>`;
      })}
    </div>`;
  }

  private conv(e: ConvExplanation) {
    const { channels, height, width, values } = e.kernel;
    const plane = height * width;
    const shown = Math.min(channels, MAX_CHANNELS);
    const source = this.domainOf(e.inputs.layer);
    const rows = [];
    for (let c = 0; c < shown; c++) {
      rows.push(this.grid(e.patch.slice(c * plane, (c + 1) * plane), width, source));
      rows.push(this.grid(values.slice(c * plane, (c + 1) * plane), width, true));
    }
    return html`<div class="grids">
        <span class="caption">patch of ${e.inputs.layer}</span><span class="caption">× kernel</span>
        ${rows}
      </div>
      ${channels > shown ? html`<p class="caption">… and ${channels - shown} more input maps</p>` : nothing}`;
  }

  private dense(e: DenseExplanation) {
    return html`<table>
      <tr class="caption">
        <td>largest inputs</td>
        <td class="num">value</td>
        <td class="num">× weight</td>
        <td class="num">=</td>
      </tr>
      ${e.top.map(
        (t) =>
          html`<tr>
            <td>${e.inputs.layer} ${t.index}</td>
            <td class="num">${f(t.value)}</td>
            <td class="num">${f(t.weight)}</td>
            <td class="num">${f(t.product)}</td>
          </tr>`,
      )}
      <tr>
        <td>the other ${e.weights.length - e.top.length}</td>
        <td></td>
        <td></td>
        <td class="num">${f(e.rest)}</td>
      </tr>
      <tr>
        <td>bias</td>
        <td></td>
        <td></td>
        <td class="num">${f(e.bias)}</td>
      </tr>
    </table>`;
  }

  private pool(e: PoolExplanation) {
    const { height, width } = e.window;
    const values: (number | null)[] = new Array(height * width).fill(null);
    // the window's positions in reading order; padded positions stay empty
    const top = Math.min(...e.inputs.cells.map((c) => c.row));
    const left = Math.min(...e.inputs.cells.map((c) => c.col));
    let win = -1;
    e.inputs.cells.forEach((c, i) => {
      const k = (c.row - top) * width + (c.col - left);
      values[k] = e.inputs.values[i];
      if (i === e.winner) win = k;
    });
    return html`<div class="grids">
      <span class="caption"
        >window of ${e.inputs.layer}${e.operation === 'maxpool' ? ', winner outlined' : ''}</span
      ><span></span> ${this.grid(values, width, this.domainOf(e.inputs.layer), win)}<span></span>
    </div>`;
  }
}

if (!customElements.get('cnn-explanation-panel'))
  customElements.define('cnn-explanation-panel', CnnExplanationPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-explanation-panel': CnnExplanationPanel;
  }
}
