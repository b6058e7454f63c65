import { css, html, LitElement } from 'lit';
import { emitInternal } from '../features/events.js';
import { INPUT_SIZE, rgbaToGray, type Frame, type GrayImage } from '../model/preprocess.js';

/** Resolution of the drawing surface, whatever its size on screen. */
export const PAD_SIZE = 280;
/** Stroke width on the 280×280 surface: after scaling a digit to MNIST's 20-px box this is ≈ 2 px. */
const STROKE = 20;

/**
 * The draw pad: a square canvas a reader draws on with a mouse, a pen or a finger (round strokes).
 * Fires `cnn-draw-change` (inside the element's shadow root only) after every change of the drawing and exposes it as a grey image.
 * Internal part of `<cnn-visualizer>`.
 */
export class CnnDrawPad extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
      aspect-ratio: 1;
      width: 100%;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
      border-radius: var(--cnn-radius, 12px);
      background: var(--cnn-pad-background, #fff);
      box-shadow: inset 0 0 0 2px var(--cnn-pad-border, #94a3b8);
      touch-action: none;
      cursor: crosshair;
    }
    canvas:focus-visible {
      outline: 3px solid var(--cnn-accent, #2563eb);
      outline-offset: 2px;
    }
    canvas.overlay {
      position: absolute;
      inset: 0;
      pointer-events: none;
      box-shadow: none;
      background: transparent;
    }
    .hint {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      pointer-events: none;
      color: var(--cnn-muted, #6b7280);
      font-size: 0.95em;
      text-align: center;
      padding: 1em;
    }
  `;

  static override properties = {
    empty: { state: true },
  };

  protected empty = true;

  private canvas?: HTMLCanvasElement;
  private overlay?: CanvasRenderingContext2D;
  private ctx?: CanvasRenderingContext2D;
  private last?: { x: number; y: number };
  private activePointer?: number;
  /** A page's picture is shown: the next stroke starts a new drawing. */
  private replaceOnStroke = false;

  override render() {
    return html`<canvas
        part="canvas"
        width=${PAD_SIZE}
        height=${PAD_SIZE}
        role="img"
        aria-label="Drawing area: draw a digit from 0 to 9"
        @pointerdown=${this.onDown}
        @pointermove=${this.onMove}
        @pointerup=${this.onUp}
        @pointercancel=${this.onUp}
        @lostpointercapture=${this.onUp}
      ></canvas>
      <canvas class="overlay" part="overlay" width=${PAD_SIZE} height=${PAD_SIZE} aria-hidden="true"></canvas>
      ${this.empty ? html`<div class="hint" aria-hidden="true">Draw a digit here</div>` : null}`;
  }

  override firstUpdated() {
    this.canvas = this.renderRoot.querySelector('canvas')!;
    this.overlay = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.overlay')!.getContext('2d')!;
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.wipe();
  }

  /** Erases the drawing (with `silent`, no `cnn-draw-change` fires). */
  clear(silent = false): void {
    this.wipe();
    if (!silent) this.changed();
  }

  /**
   * Shows a picture (RGBA, `width × height`: an input as the model reads it) on the pad, scaled to
   * fill it, replacing the drawing. With `silent`, no `cnn-draw-change` fires (the caller classifies
   * the exact input itself). With `replace`, the reader's next stroke starts a new drawing instead of
   * drawing over it (a page's photo is not ink on paper).
   */
  showPicture(
    rgba: Uint8ClampedArray<ArrayBuffer>,
    width: number,
    height: number,
    { silent = false, replace = false } = {},
  ): void {
    if (!this.ctx) return;
    const tmp = document.createElement('canvas');
    tmp.width = width;
    tmp.height = height;
    tmp.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
    this.wipe();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(tmp, 0, 0, PAD_SIZE, PAD_SIZE);
    let blank = true;
    for (let i = 0; i < rgba.length && blank; i += 4) blank = rgba[i] + rgba[i + 1] + rgba[i + 2] === 765;
    this.empty = blank;
    this.replaceOnStroke = replace;
    if (!silent) this.changed();
  }

  /** Where an input of `width × height` shown with {@link showPicture} lies on the pad (it fills it). */
  static shownFrame(width: number, height: number): Frame {
    return { x: 0, y: 0, scale: width / PAD_SIZE, scaleY: height / PAD_SIZE, width, height };
  }

  /**
   * Draws over the drawing, in the input's own pixel coordinates placed by `frame`: `glow` (RGBA of
   * the input's width × height, e.g. a saliency map) and `box` (a rectangle of input pixels,
   * inclusive: the part of the drawing a number depends on). Null clears.
   */
  mark(
    frame: Frame | null,
    marks: {
      glow?: Uint8ClampedArray<ArrayBuffer> | null;
      box?: { top: number; left: number; bottom: number; right: number } | null;
    },
  ): void {
    const ctx = this.overlay;
    if (!ctx) return;
    ctx.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    if (!frame) return;
    const width = frame.width ?? INPUT_SIZE;
    const height = frame.height ?? INPUT_SIZE;
    const px = 1 / frame.scale;
    const py = 1 / (frame.scaleY ?? frame.scale);
    if (marks.glow && marks.glow.length === 4 * width * height) {
      const small = document.createElement('canvas');
      small.width = width;
      small.height = height;
      small.getContext('2d')!.putImageData(new ImageData(marks.glow, width, height), 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.globalAlpha = 0.8;
      ctx.drawImage(small, frame.x, frame.y, width * px, height * py);
      ctx.globalAlpha = 1;
    }
    if (marks.box) {
      const b = marks.box;
      ctx.strokeStyle = '#16a34a';
      ctx.lineWidth = 3;
      ctx.setLineDash([]);
      ctx.strokeRect(
        frame.x + b.left * px,
        frame.y + b.top * py,
        (b.right - b.left + 1) * px,
        (b.bottom - b.top + 1) * py,
      );
    }
  }

  /** The drawing as a grey image, dark ink on a light background (`polarity: 'dark-on-light'`). */
  image(): GrayImage {
    const data = this.ctx!.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data;
    return rgbaToGray(data, PAD_SIZE, PAD_SIZE, 255);
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  private wipe() {
    this.overlay?.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    if (!this.ctx) return;
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
    this.empty = true;
    this.replaceOnStroke = false;
  }

  private toCanvas(e: PointerEvent) {
    const r = this.canvas!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD_SIZE, y: ((e.clientY - r.top) / r.height) * PAD_SIZE };
  }

  private onDown = (e: PointerEvent) => {
    if (this.activePointer !== undefined || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.activePointer = e.pointerId;
    this.canvas!.setPointerCapture?.(e.pointerId);
    if (this.replaceOnStroke) this.wipe();
    this.last = this.toCanvas(e);
    this.stroke([this.last, this.last]);
  };

  private onMove = (e: PointerEvent) => {
    if (e.pointerId !== this.activePointer || !this.last) return;
    // coalesced events keep fast strokes smooth
    const events = e.getCoalescedEvents?.().length ? e.getCoalescedEvents() : [e];
    const points = [this.last, ...events.map((ev) => this.toCanvas(ev))];
    this.last = points[points.length - 1];
    this.stroke(points);
  };

  private onUp = (e: PointerEvent) => {
    if (e.pointerId !== this.activePointer) return;
    this.activePointer = undefined;
    this.last = undefined;
  };

  private stroke(points: { x: number; y: number }[]) {
    const ctx = this.ctx!;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = STROKE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(points[0].x, points[0].y);
    for (const p of points.slice(1)) ctx.lineTo(p.x, p.y);
    if (points.length === 2 && points[0] === points[1]) ctx.lineTo(points[0].x + 0.01, points[0].y);
    ctx.stroke();
    this.empty = false;
    this.changed();
  }

  private changed() {
    emitInternal(this, 'cnn-draw-change');
  }
}

if (!customElements.get('cnn-draw-pad')) customElements.define('cnn-draw-pad', CnnDrawPad);

declare global {
  interface HTMLElementTagNameMap {
    'cnn-draw-pad': CnnDrawPad;
  }
}
