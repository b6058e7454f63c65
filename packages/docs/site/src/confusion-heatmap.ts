/**
 * The community confusion matrix as a heat map: an HTML table (readable by screen readers, copyable),
 * each cell shaded by the share of its row — blue on the diagonal (read correctly), red elsewhere.
 */
import { html } from 'lit';
import type { Stats } from './api.js';

const digits = Array.from({ length: 10 }, (_, i) => i);

function shade(fraction: number, correct: boolean): string {
  if (fraction <= 0) return 'transparent';
  const a = (0.12 + 0.88 * Math.sqrt(fraction)).toFixed(3); // sqrt: small confusions stay visible
  return correct ? `rgba(37, 99, 235, ${a})` : `rgba(220, 38, 38, ${a})`;
}

export function confusionHeatmap(stats: Stats) {
  return html`<table class="heatmap">
    <caption>
      Rows: the digit readers meant. Columns: what the network read. Each row is shaded by its share.
    </caption>
    <thead>
      <tr>
        <th scope="col"><span class="visually-hidden">meant \\ read</span></th>
        ${digits.map((d) => html`<th scope="col">${d}</th>`)}
        <th scope="col">n</th>
      </tr>
    </thead>
    <tbody>
      ${stats.confusion.map((row, label) => {
        const n = row.reduce((a, b) => a + b, 0);
        return html`<tr>
          <th scope="row">${label}</th>
          ${row.map((count, pred) => {
            const f = n ? count / n : 0;
            return html`<td
              style="background:${shade(f, pred === label)};color:${f > 0.45 ? '#fff' : 'inherit'}"
              title=${`${count} drawings of a ${label} read as ${pred}`}
            >
              ${count || ''}
            </td>`;
          })}
          <td class="n">${n}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
