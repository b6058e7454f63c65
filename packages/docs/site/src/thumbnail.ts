/** One drawing as a small card: its image, what the reader meant, what the network read. */
import { html } from 'lit';
import type { Drawing } from './api.js';

export function thumbnail(d: Drawing, src: string, onOpen: () => void, action: string) {
  const verdict = d.misclassified ? `read as ${d.prediction}` : 'read correctly';
  return html`<button
    type="button"
    class="thumb ${d.misclassified ? 'wrong' : 'right'}"
    title=${`${action}: drawn as a ${d.label}, ${verdict} (${Math.round(d.confidence * 100)}%)`}
    @click=${onOpen}
  >
    <img src=${src} alt=${`A hand-drawn ${d.label}, ${verdict}`} width="84" height="84" loading="lazy" />
    <span class="caption"
      ><b>${d.label}</b>
      ${d.misclassified ? html`→ <b class="bad">${d.prediction}</b>` : html`<span class="ok">✓</span>`}</span
    >
  </button>`;
}
