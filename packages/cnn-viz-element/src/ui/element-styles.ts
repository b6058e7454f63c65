import { css } from 'lit';

/** The element's own layout and theme; every colour is a CSS custom property a page can override. */
export const elementStyles = css`
  :host {
    --cnn-background: #ffffff;
    --cnn-text: #111827;
    --cnn-muted: #6b7280;
    --cnn-accent: #2563eb;
    --cnn-accent-text: #ffffff;
    --cnn-border: rgba(17, 24, 39, 0.14);
    --cnn-pad-background: #ffffff;
    /* the answer in the colours of the 3D view: probability rises from grey to the strongest red */
    --cnn-bar: #f9b28f;
    --cnn-winner: #b3121d;
    --cnn-stage-background: #f3f5f9;
    display: block;
    container-type: inline-size;
    box-sizing: border-box;
    padding: 16px;
    border-radius: var(--cnn-radius, 14px);
    background: var(--cnn-background);
    color: var(--cnn-text);
    font-family: var(--cnn-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 15px;
  }
  :host([theme='dark']) {
    --cnn-background: #0f172a;
    --cnn-text: #e5e7eb;
    --cnn-muted: #94a3b8;
    --cnn-accent: #60a5fa;
    --cnn-accent-text: #0f172a;
    --cnn-border: rgba(226, 232, 240, 0.18);
    --cnn-pad-background: #ffffff;
    --cnn-bar: #8e3327;
    --cnn-winner: #ff5e42;
    --cnn-stage-background: #111c33;
  }
  :host([hidden]) {
    display: none;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(220px, 300px) minmax(0, 1fr);
    gap: 20px;
    align-items: start;
  }
  .layout.network-only {
    grid-template-columns: minmax(0, 1fr);
  }
  section {
    display: flex;
    flex-direction: column;
    gap: 12px;
    min-width: 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .row .backend {
    margin-left: auto;
  }
  .clear {
    font: inherit;
    padding: 0.35em 1em;
    border-radius: 8px;
    border: 1px solid var(--cnn-border);
    background: transparent;
    color: inherit;
    cursor: pointer;
    min-height: 36px;
  }
  .clear:hover {
    border-color: var(--cnn-accent);
  }
  .clear:focus-visible {
    outline: 3px solid var(--cnn-accent);
    outline-offset: 1px;
  }
  .backend {
    color: var(--cnn-muted);
    font-size: 0.85em;
  }
  .stage-wrap {
    position: relative;
    height: var(--cnn-stage-height, 460px);
    border-radius: var(--cnn-radius, 14px);
    background: var(--cnn-stage-background);
    overflow: hidden;
  }
  canvas.stage {
    display: block;
    width: 100%;
    height: 100%;
    touch-action: none;
    outline: none;
  }
  canvas.stage:focus-visible {
    box-shadow: inset 0 0 0 3px var(--cnn-accent);
  }
  .labels {
    position: absolute;
    inset: 0;
    pointer-events: none;
    overflow: hidden;
  }
  .labels span {
    position: absolute;
    left: 0;
    top: 0;
    font-size: 12px;
    white-space: nowrap;
    color: var(--cnn-muted);
    will-change: transform;
  }
  .stage-box {
    position: relative;
  }
  .explanation {
    position: absolute;
    bottom: 10px;
    right: 10px;
    max-width: min(330px, 60%);
    max-height: calc(100% - 20px);
    overflow: auto;
    box-sizing: border-box;
    background: var(--cnn-background);
    color: var(--cnn-text);
    border: 1px solid var(--cnn-border);
    border-radius: 10px;
    padding: 8px 10px;
    box-shadow: 0 4px 14px rgba(0, 0, 0, 0.15);
  }
  .legend {
    position: absolute;
    left: 12px;
    bottom: 10px;
    width: min(260px, 55%);
    font-size: 11.5px;
    color: var(--cnn-text);
    pointer-events: none;
  }
  .legend-title {
    margin-bottom: 3px;
    color: var(--cnn-muted);
  }
  .legend-title strong {
    color: var(--cnn-text);
  }
  .legend-bar {
    height: 10px;
    border-radius: 3px;
    box-shadow: inset 0 0 0 1px var(--cnn-border);
  }
  .legend-ticks {
    position: relative;
    height: 1.3em;
    font-variant-numeric: tabular-nums;
  }
  .legend-ticks span {
    position: absolute;
    top: 1px;
    white-space: nowrap;
  }
  .hint {
    position: absolute;
    left: 50%;
    top: 12px;
    transform: translateX(-50%);
    padding: 6px 12px;
    border-radius: 8px;
    background: rgba(15, 23, 42, 0.82);
    color: #fff;
    font-size: 13px;
    pointer-events: none;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .clear[aria-pressed='true'] {
    background: var(--cnn-accent);
    border-color: var(--cnn-accent);
    color: var(--cnn-accent-text);
  }
  .progress {
    position: absolute;
    left: 16px;
    right: 16px;
    top: 50%;
    height: 6px;
    border-radius: 3px;
    background: var(--cnn-border);
    overflow: hidden;
  }
  .progress div {
    height: 100%;
    background: var(--cnn-accent);
    transition: width 150ms ease-out;
  }
  .error {
    position: absolute;
    left: 16px;
    right: 16px;
    bottom: 16px;
    padding: 10px 12px;
    border-radius: 8px;
    background: #fef2f2;
    color: #991b1b;
    border: 1px solid #fecaca;
  }
  /* narrow layouts last, so they win over the rules above */
  @container (max-width: 620px) {
    .layout {
      grid-template-columns: minmax(0, 1fr);
    }
    /* the pad and the verdict side by side, so a reader sees the answer while drawing */
    .input {
      display: grid;
      grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr);
      gap: 10px 14px;
      align-items: start;
    }
    .input > cnn-prediction-chart {
      grid-column: 2;
      grid-row: 1;
    }
    .input > .row {
      grid-column: 1;
    }
    .input > cnn-sample-digits {
      grid-column: 1 / -1;
    }
    /* on a phone the explanation goes under the stage, not over the network */
    .explanation {
      position: static;
      max-width: none;
      max-height: none;
      margin-top: 8px;
      box-shadow: none;
    }
    .stage-wrap {
      /* a phone's stage as wide as the screen and not much taller than the network it shows */
      height: var(--cnn-stage-height, auto);
      aspect-ratio: 4 / 3;
    }
  }
`;
