import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Activations, InferenceBackend } from './inference/activations.js';
import { AutoBackend } from './inference/auto-backend.js';
import { LocalOnnxBackend } from './inference/local-backend.js';
import { WebSocketBackend } from './inference/websocket-backend.js';
import { loadModelDescription } from './model/load-description.js';
import type { ModelDescription } from './model/description.js';
import { preprocess } from './model/preprocess.js';
import type { NetworkView, PickInfo, ScreenLabel } from './render/network-view.js';
import type { TourPlayer } from './tour/tour-player.js';
import { elementStyles } from './ui/element-styles.js';
import './ui/draw-pad.js';
import type { CnnDrawPad } from './ui/draw-pad.js';
import './ui/narration-panel.js';
import type { NarrationState } from './ui/narration-panel.js';
import './ui/prediction-chart.js';
import './ui/sample-digits.js';

/**
 * Files that ship next to the bundle: the drop-in works with no configuration. (Not written as
 * `new URL('./', import.meta.url)`: bundlers such as Vite rewrite that pattern as an asset import and
 * break it; pages that bundle the element set `model-url` and `wasm-path` instead.)
 */
const MODULE_URL = import.meta.url;
const HERE = new URL('./', MODULE_URL);

export type BackendName = 'local' | 'server' | 'auto' | 'ws';

export interface PredictionDetail {
  prediction: number;
  probabilities: Float32Array;
  activations: Activations;
  /** The 28×28 input that was classified (255 = ink). */
  pixels: Uint8Array;
}
export interface ErrorDetail {
  type: 'model' | 'backend' | 'inference' | 'webgl';
  message: string;
  sourceError?: unknown;
}

type Status = 'idle' | 'loading' | 'ready' | 'error';

/**
 * `<cnn-visualizer>`: a reader draws a digit; a convolutional network (LeNet-5 trained on MNIST)
 * classifies it live and every layer's activations are drawn in 3D, with a narrated tour of how
 * convolution, pooling, dense layers and softmax produce the answer.
 *
 * @tagname cnn-visualizer
 * @fires cnn-ready - The model is loaded and the element can classify. `detail: { model, backend }`.
 * @fires cnn-prediction - A drawing was classified. `detail: { prediction, probabilities, activations, pixels }`.
 * @fires cnn-error - Something failed (model download, server, WebGL). `detail: { type, message, sourceError }`.
 *
 * @csspart draw-pad - The drawing area.
 * @csspart stage - The 3D view of the network.
 * @csspart prediction - The prediction sentence and probability bars.
 * @csspart narration - The tour's text and controls.
 * @csspart samples - The row of sample digits.
 * @csspart progress - The loading bar.
 * @csspart error - The error message.
 * @csspart tooltip - What a hovered cube shows.
 * @csspart button - The clear button.
 *
 * @cssprop --cnn-background - Background of the element.
 * @cssprop --cnn-text - Text colour.
 * @cssprop --cnn-muted - Secondary text colour.
 * @cssprop --cnn-accent - Accent colour (winner, buttons, focus rings).
 * @cssprop --cnn-border - Border colour.
 * @cssprop --cnn-pad-background - Background of the draw pad.
 * @cssprop --cnn-radius - Corner radius.
 * @cssprop --cnn-font - Font family.
 * @cssprop --cnn-stage-height - Height of the 3D view (default 460px; 340px on narrow layouts).
 */
export class CnnVisualizer extends LitElement {
  static override styles = elementStyles;

  static override properties = {
    backend: {
      converter: { fromAttribute: (v: string | null) => v ?? 'local' },
    },
    modelUrl: { attribute: 'model-url' },
    wasmPath: { attribute: 'wasm-path' },
    serverUrl: { attribute: 'server-url' },
    encoding: {},
    theme: { reflect: true },
    loading: {},
    tour: {},
    status: { state: true },
    progress: { state: true },
    errorMessage: { state: true },
    probabilities: { state: true },
    narration: { state: true },
    tooltip: { state: true },
    activeBackend: { state: true },
  };

  /**
   * Where the network runs: `local` (in the page, onnxruntime-web, loaded on first use), `ws` (our
   * server over a WebSocket, see `server-url`), or `auto` (the server, falling back to local).
   * You may also assign any object with `infer(pixels) → Promise<Activations>` to this property.
   * Default `local`.
   */
  backend: BackendName | InferenceBackend = 'local';
  /** URL of the model description `cnn.json` (the ONNX file is found next to it). Default: next to this script. */
  modelUrl = new URL('cnn.json', HERE).href;
  /** Folder URL of onnxruntime-web's `.wasm` files. Default: next to this script. */
  wasmPath = HERE.href;
  /** WebSocket URL of the inference server. Default: `/ws` on the host this script came from. */
  serverUrl = defaultServerUrl();
  /** Activations on the wire for `ws`: `float32` (exact) or `uint8` (4× smaller). Default `float32`. */
  encoding: 'float32' | 'uint8' = 'float32';
  /** `light` or `dark`. Default `light`. */
  theme: 'light' | 'dark' = 'light';
  /**
   * `lazy` (default): nothing is downloaded and no WebGL context is created until the element
   * scrolls into view. `eager`: start at once.
   */
  loading: 'lazy' | 'eager' = 'lazy';
  /**
   * The narrated tour: `auto` (default) plays it after the first drawing, `manual` shows the controls
   * but waits for Play, `off` hides it and shows results directly.
   */
  tour: 'auto' | 'manual' | 'off' = 'auto';

  protected status: Status = 'idle';
  protected progress = 0;
  protected errorMessage = '';
  protected probabilities: Float32Array | null = null;
  protected narration: NarrationState | null = null;
  protected tooltip: (PickInfo & { x: number; y: number }) | null = null;
  protected activeBackend = '';

  private model?: ModelDescription;
  private view?: NetworkView;
  private player?: TourPlayer;
  private inference?: InferenceBackend;
  private ownsInference = false;
  private visibility?: IntersectionObserver;
  private resizer?: ResizeObserver;
  private visible = false;
  private started = false;
  private frame = 0;
  private busy = false;
  private dirty = false;
  private hadResult = false;
  private lastActivations?: Activations;
  private readonly reducedMotion =
    globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.visibility = new IntersectionObserver((entries) => this.onVisibility(entries[entries.length - 1]), {
      rootMargin: '200px',
    });
    this.visibility.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.visibility?.disconnect();
    this.resizer?.disconnect();
    cancelAnimationFrame(this.frame);
    this.player?.dispose();
    this.view?.dispose();
    if (this.ownsInference) this.inference?.dispose?.();
    this.player = undefined;
    this.view = undefined;
    this.inference = undefined;
    this.started = false;
    this.status = 'idle';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('loading') && this.loading === 'eager' && this.isConnected) void this.start();
    if (changed.has('theme')) this.view?.setTheme(this.theme);
    if (this.started && (changed.has('backend') || changed.has('serverUrl') || changed.has('encoding'))) {
      if (changed.get('backend') !== undefined || changed.get('serverUrl') !== undefined)
        this.replaceBackend();
    }
  }

  /** Erases the drawing and the results. */
  clear(): void {
    this.pad?.clear();
  }

  /**
   * Classifies a 28×28 image given directly (784 values, 0–255, 255 = ink — MNIST's format),
   * shows it on the draw pad and returns the activations.
   */
  async setInput(pixels: ArrayLike<number>): Promise<Activations> {
    if (pixels.length !== 784)
      throw new RangeError(`setInput expects 784 pixels (28×28), got ${pixels.length}`);
    const bytes = Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v))));
    this.pad?.showPixels(bytes, { silent: true });
    await this.start();
    this.hadResult = false;
    return this.classify(bytes);
  }

  /** Which backend answered the last request: `local`, `server` or `custom`. */
  get activeBackendName(): string {
    return this.activeBackend;
  }

  private get pad(): CnnDrawPad | null {
    return this.renderRoot?.querySelector('cnn-draw-pad') ?? null;
  }

  private onVisibility(entry: IntersectionObserverEntry) {
    this.visible = entry.isIntersecting;
    if (this.visible) {
      void this.start();
      this.view?.start();
    } else {
      this.view?.stop();
    }
  }

  /** Loads the model description, creates the 3D view and the backend. Idempotent. */
  private start(): Promise<void> {
    if (this.loading === 'lazy' && !this.visible && !this.startPromise) {
      return new Promise<void>((resolve) => {
        const check = () =>
          this.startPromise ? this.startPromise.then(resolve, resolve) : requestAnimationFrame(check);
        check();
      });
    }
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }
  private startPromise?: Promise<void>;

  private async doStart(): Promise<void> {
    this.started = true;
    this.status = 'loading';
    this.progress = 0.05;
    try {
      this.model = await loadModelDescription(this.modelUrl);
    } catch (e) {
      this.fail('model', `Could not load the model description: ${(e as Error).message}`, e);
      return;
    }
    await this.updateComplete;
    try {
      const { NetworkView } = await import('./render/network-view.js');
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.stage')!;
      this.view = new NetworkView(canvas, this.model, {
        theme: this.theme,
        reducedMotion: this.reducedMotion,
      });
      this.view.onFrame((labels) => this.placeLabels(labels));
      this.resizer = new ResizeObserver(() => this.view?.resize());
      this.resizer.observe(canvas);
      if (this.visible || this.loading === 'eager') this.view.start();
      if (this.tour !== 'off') {
        const { buildTour } = await import('./tour/steps.js');
        const { TourPlayer } = await import('./tour/tour-player.js');
        this.player = new TourPlayer(this.view, buildTour(this.model), { reducedMotion: this.reducedMotion });
        this.player.onChange((s) => {
          this.narration = {
            index: s.index,
            count: s.count,
            playing: s.playing,
            speed: s.speed,
            title: s.step.title,
            text: s.step.text,
          };
        });
      }
    } catch (e) {
      this.fail('webgl', `The 3D view could not start: ${(e as Error).message}`, e);
      return;
    }
    this.progress = 0.3;
    try {
      this.replaceBackend();
      const preload = (this.inference as { load?: () => Promise<void>; connect?: () => Promise<void> }) ?? {};
      await (preload.load?.() ?? Promise.resolve());
    } catch (e) {
      this.fail('backend', `Could not load the network: ${(e as Error).message}`, e);
      return;
    }
    this.progress = 1;
    this.status = 'ready';
    this.dispatchEvent(
      new CustomEvent('cnn-ready', {
        detail: { model: this.model, backend: this.activeBackend },
        bubbles: true,
        composed: true,
      }),
    );
    if (this.pad && !this.pad.isEmpty) this.schedule();
  }

  private replaceBackend() {
    if (!this.model) return;
    if (this.ownsInference) this.inference?.dispose?.();
    const model = this.model;
    const onnxUrl = new URL(model.onnx, new URL(this.modelUrl, document.baseURI)).href;
    const local = () =>
      new LocalOnnxBackend(model, {
        modelUrl: onnxUrl,
        wasmPath: this.wasmPath,
        onProgress: (f) => (this.progress = 0.3 + 0.7 * f),
      });
    const b = this.backend;
    if (typeof b === 'object' && b && typeof b.infer === 'function') {
      this.inference = b;
      this.ownsInference = false;
      this.activeBackend = 'custom';
      return;
    }
    this.ownsInference = true;
    const ws = () => new WebSocketBackend(model, { url: this.serverUrl, encoding: this.encoding });
    if (b === 'server' || b === 'ws') {
      this.inference = ws();
      this.activeBackend = 'server';
    } else if (b === 'auto') {
      this.inference = new AutoBackend(ws(), local, (to) => (this.activeBackend = to));
      this.activeBackend = 'server';
    } else {
      this.inference = local();
      this.activeBackend = 'local';
    }
  }

  private fail(type: ErrorDetail['type'], message: string, sourceError?: unknown) {
    this.status = 'error';
    this.errorMessage = message;
    this.dispatchEvent(
      new CustomEvent<ErrorDetail>('cnn-error', {
        detail: { type, message, sourceError },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /** Draw-pad changes are coalesced to at most one inference per animation frame. */
  private schedule = () => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      void this.fromPad();
    });
  };

  private async fromPad() {
    const pad = this.pad;
    if (!pad || !this.inference || !this.model) return;
    if (this.busy) {
      this.dirty = true;
      return;
    }
    const result = preprocess(pad.image(), { polarity: 'dark-on-light' });
    if (result.empty) {
      this.probabilities = null;
      this.hadResult = false;
      this.view?.setActivations(null);
      this.player?.reset();
      return;
    }
    try {
      await this.classify(result.pixels);
    } catch {
      /* reported through cnn-error */
    }
  }

  private async classify(pixels: Uint8Array): Promise<Activations> {
    const inference = this.inference;
    if (!inference) throw new Error('the visualizer is not ready');
    this.busy = true;
    try {
      const acts = await inference.infer(pixels);
      this.show(acts, pixels);
      return acts;
    } catch (e) {
      this.fail('inference', (e as Error).message, e);
      throw e;
    } finally {
      this.busy = false;
      if (this.dirty) {
        this.dirty = false;
        this.schedule();
      }
    }
  }

  private show(acts: Activations, pixels: Uint8Array) {
    if (this.status === 'error') this.status = 'ready';
    this.lastActivations = acts;
    this.probabilities = acts.probabilities;
    this.view?.setActivations(acts);
    if (this.player && !this.hadResult) {
      if (this.tour === 'auto') this.player.play(0);
      else this.player.goTo(0);
    }
    this.hadResult = true;
    this.dispatchEvent(
      new CustomEvent<PredictionDetail>('cnn-prediction', {
        detail: { prediction: acts.prediction, probabilities: acts.probabilities, activations: acts, pixels },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private onTourCommand(e: CustomEvent<{ command: string; value?: number }>) {
    const p = this.player;
    if (!p) return;
    const { command, value } = e.detail;
    if (command === 'play') p.play();
    else if (command === 'pause') p.pause();
    else if (command === 'next') p.next();
    else if (command === 'prev') p.prev();
    else if (command === 'skip') p.skip();
    else if (command === 'speed' && value) p.setSpeed(value);
  }

  private onStagePointer(e: PointerEvent) {
    if (!this.view || !this.lastActivations) return;
    const pick = this.view.pick(e.offsetX, e.offsetY);
    this.view.highlight(pick);
    this.tooltip = pick ? { ...pick, x: e.offsetX, y: e.offsetY } : null;
  }

  /** Label widths, measured once per text (reading layout every frame would force reflows). */
  private labelWidths = new WeakMap<HTMLElement, { text: string; width: number }>();
  /** Screen intervals of the labels placed this frame, reused (no allocation per frame). */
  private placed = new Float64Array(0);

  /**
   * Moves the HTML labels over their layers. Where labels would overlap (small layers far from the
   * camera), the later layer's label wins and the earlier one is hidden until there is room.
   */
  private placeLabels(labels: readonly ScreenLabel[]) {
    const layer = this.renderRoot.querySelector<HTMLElement>('.labels');
    if (!layer) return;
    while (layer.children.length < labels.length) layer.appendChild(document.createElement('span'));
    if (this.placed.length < 3 * labels.length) this.placed = new Float64Array(3 * labels.length);
    let n = 0;
    for (let i = labels.length - 1; i >= 0; i--) {
      const l = labels[i];
      const el = layer.children[i] as HTMLElement;
      let known = this.labelWidths.get(el);
      if (!known || known.text !== l.text) {
        el.textContent = l.text;
        known = { text: l.text, width: el.offsetWidth };
        this.labelWidths.set(el, known);
      }
      let free = l.visible;
      for (let k = 0; free && k < n; k++) {
        const p = this.placed;
        const overlapX = Math.abs(p[3 * k] - l.x) < (p[3 * k + 1] + known.width) / 2 + 4;
        const overlapY = Math.abs(p[3 * k + 2] - l.y) < 18;
        if (overlapX && overlapY) free = false;
      }
      if (free) {
        this.placed[3 * n] = l.x;
        this.placed[3 * n + 1] = known.width;
        this.placed[3 * n + 2] = l.y;
        n++;
      }
      el.style.transform = `translate(${l.x.toFixed(1)}px, ${l.y.toFixed(1)}px) translate(-50%, -100%)`;
      el.style.visibility = free ? 'visible' : 'hidden';
    }
  }

  override render() {
    const t = this.tooltip;
    return html`
      <div class="layout">
        <section class="input">
          <cnn-draw-pad part="draw-pad" @cnn-draw-change=${this.schedule}></cnn-draw-pad>
          <div class="row">
            <button part="button" type="button" class="clear" @click=${() => this.clear()}>Clear</button>
            <span class="backend" title="Where the network runs">${this.backendLabel()}</span>
          </div>
          <cnn-prediction-chart part="prediction" .probabilities=${this.probabilities}></cnn-prediction-chart>
          <cnn-sample-digits
            part="samples"
            @cnn-sample=${(e: CustomEvent<{ pixels: Uint8Array }>) => void this.setInput(e.detail.pixels).catch(() => {})}
          ></cnn-sample-digits>
        </section>
        <section class="network">
          <div class="stage-wrap">
            <canvas
              class="stage"
              part="stage"
              tabindex="0"
              aria-label="3D view of the network's layers. Arrow keys rotate, plus and minus zoom."
              @pointermove=${this.onStagePointer}
              @pointerdown=${this.onStagePointer}
              @pointerleave=${() => {
                this.tooltip = null;
                this.view?.highlight(null);
              }}
            ></canvas>
            <div class="labels" aria-hidden="true"></div>
            ${
              t
                ? html`<div class="tooltip" part="tooltip" style="left:${t.x + 14}px;top:${t.y + 14}px">
                    <strong>${t.layer}</strong> (${t.kind})<br />
                    ${t.row >= 0 ? html`channel ${t.channel + 1}, row ${t.row + 1}, column ${t.col + 1}` : html`unit ${t.index}`}<br />
                    value ${t.value.toFixed(3)}
                  </div>`
                : nothing
            }
            ${
              this.status === 'loading'
                ? html`<div
                    class="progress"
                    part="progress"
                    role="progressbar"
                    aria-label="Loading the network"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=${Math.round(this.progress * 100)}
                  >
                    <div style="width:${(this.progress * 100).toFixed(0)}%"></div>
                  </div>`
                : nothing
            }
            ${
              this.status === 'error'
                ? html`<div class="error" part="error" role="alert">${this.errorMessage}</div>`
                : nothing
            }
          </div>
          ${
            this.tour !== 'off' && this.narration
              ? html`<cnn-narration-panel
                  part="narration"
                  .state=${this.narration}
                  @cnn-tour-command=${this.onTourCommand}
                ></cnn-narration-panel>`
              : nothing
          }
        </section>
      </div>
    `;
  }

  private backendLabel() {
    if (this.activeBackend === 'server') return 'running on the server';
    if (this.activeBackend === 'local') return 'running in your browser';
    if (this.activeBackend === 'custom') return 'custom backend';
    return '';
  }
}

function defaultServerUrl(): string {
  const base = new URL(
    '/ws',
    HERE.protocol.startsWith('http') ? HERE : (globalThis.location?.href ?? 'http://localhost/'),
  );
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return base.href;
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-visualizer': CnnVisualizer;
  }
}
