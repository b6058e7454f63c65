import { css, html, LitElement } from 'lit';
import { emitInternal } from '../features/events.js';

export interface NarrationState {
  index: number;
  count: number;
  playing: boolean;
  speed: number;
  title: string;
  text: string;
}

const SPEEDS = [0.5, 1, 1.5, 2];

/**
 * The tour's narration and its controls: previous, play/pause, next, skip, speed. Fires
 * `cnn-tour-command` with `{ command: 'prev' | 'play' | 'pause' | 'next' | 'skip' | 'speed', value? }`.
 * Internal part of `<cnn-visualizer>`.
 */
export class CnnNarrationPanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .text {
      margin: 0.6em 0 0;
      line-height: 1.45;
    }
    /* not a heading: the element cannot know the host page's heading levels (axe: heading-order) */
    .title {
      margin: 0 0 0.25em;
      font-size: 1em;
    }
    .step {
      color: var(--cnn-muted, #6b7280);
      font-weight: normal;
      font-variant-numeric: tabular-nums;
      margin-left: 0.4em;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      align-items: center;
    }
    button,
    select {
      font: inherit;
      font-size: 0.9em;
      padding: 0.3em 0.7em;
      border-radius: 6px;
      border: 1px solid var(--cnn-border, rgba(0, 0, 0, 0.15));
      background: var(--cnn-button-background, transparent);
      color: inherit;
      cursor: pointer;
      min-height: 32px;
    }
    button:hover:not([disabled]) {
      border-color: var(--cnn-accent, #2563eb);
    }
    button:focus-visible,
    select:focus-visible {
      outline: 3px solid var(--cnn-accent, #2563eb);
      outline-offset: 1px;
    }
    button[disabled] {
      opacity: 0.45;
      cursor: default;
    }
    .primary {
      background: var(--cnn-accent, #2563eb);
      border-color: var(--cnn-accent, #2563eb);
      color: var(--cnn-accent-text, #fff);
      min-width: 5.5em;
    }
  `;

  static override properties = { state: { attribute: false } };

  state: NarrationState | null = null;

  override render() {
    const s = this.state;
    if (!s) return html``;
    const cmd = (command: string, value?: number) => () =>
      emitInternal(this, 'cnn-tour-command', { command, value });
    const last = s.index >= s.count - 1;
    return html`
      <div class="controls" part="narration-controls" role="group" aria-label="Tour of the network">
        <button type="button" @click=${cmd('prev')} ?disabled=${s.index === 0}>‹ Back</button>
        <button type="button" class="primary" @click=${cmd(s.playing ? 'pause' : 'play')}>
          ${s.playing ? 'Pause' : last ? 'Replay' : 'Play'}
        </button>
        <button type="button" @click=${cmd('next')} ?disabled=${last}>Next ›</button>
        <button type="button" @click=${cmd('skip')} ?disabled=${last && !s.playing}>Skip to result</button>
        <label>
          <select
            aria-label="Animation speed"
            @change=${(e: Event) => cmd('speed', Number((e.target as HTMLSelectElement).value))()}
          >
            ${SPEEDS.map((v) => html`<option value=${v} ?selected=${v === s.speed}>${v}×</option>`)}
          </select>
        </label>
      </div>
      <div class="text" part="narration-text" aria-live="polite">
        <p class="title"><strong>${s.title}</strong><span class="step">${s.index + 1}/${s.count}</span></p>
        <div>${s.text}</div>
      </div>
    `;
  }
}

if (!customElements.get('cnn-narration-panel'))
  customElements.define('cnn-narration-panel', CnnNarrationPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-narration-panel': CnnNarrationPanel;
  }
}
