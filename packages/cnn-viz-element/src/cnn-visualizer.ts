import { html, LitElement, nothing, type PropertyDeclaration, type PropertyValues } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Activations, InferenceBackend } from './inference/activations.js';
import type { Hideable } from './embed/embed-options.js';
import { BackendController, type BackendName } from './features/backend.js';
import { emit, type ActiveBackend } from './features/events.js';
import { InputController, type InputValue } from './features/input.js';
import { InspectionController } from './features/inspection.js';
import { LabelsController } from './features/labels.js';
import { renderLegend } from './features/legend.js';
import { LoadingController } from './features/loading.js';
import { SaliencyController } from './features/saliency.js';
import { StageController } from './features/stage.js';
import { TourController, type TourCommand, type TourMode } from './features/tour.js';
import { TrainingController } from './features/training.js';
import { elementStyles } from './ui/element-styles.js';
import type { Explanation } from './explain/types.js';
import './ui/draw-pad.js';
import type { CnnDrawPad } from './ui/draw-pad.js';
import './ui/narration-panel.js';
import './ui/prediction-chart.js';
import './ui/sample-digits.js';

export type { BackendName } from './features/backend.js';
export type { Explanation } from './explain/types.js';
export type {
  ActiveBackend,
  CheckpointDetail,
  CnnEventMap,
  ErrorDetail,
  InputDetail,
  InputSource,
  PredictionDetail,
  ProgressDetail,
  ReadyDetail,
  StepDetail,
} from './features/events.js';

/**
 * Files that ship next to the bundle: the drop-in works with no configuration. (Not written as
 * `new URL('./', import.meta.url)`: bundlers such as Vite rewrite that pattern as an asset import and
 * break it; pages that bundle the element set `model-url` and `wasm-path` instead.)
 */
const MODULE_URL = import.meta.url;
const HERE = new URL('./', MODULE_URL);

/**
 * `<cnn-visualizer>`: a reader draws a digit; a convolutional network (LeNet-5 trained on MNIST)
 * classifies it live and every layer's activations are drawn in 3D, with a narrated tour of how
 * convolution, pooling, dense layers and softmax produce the answer.
 *
 * Each feature lives in its own file under `features/` (loading, backend, stage, input, tour,
 * inspection, labels); this class declares the public properties and composes the template.
 *
 * @tagname cnn-visualizer
 * @fires cnn-progress - While the description, runtime, model or server connection load. `detail: { phase, loaded, total }`.
 * @fires cnn-ready - The model is loaded and the element can classify. `detail: { model, backend }` (`backend`: `local`, `server` or `custom`).
 * @fires cnn-input - The input changed (drawing, sample, `setInput()`, clear). `detail: { pixels, source }`; `pixels` is null when cleared.
 * @fires cnn-prediction - A drawing was classified. `detail: { prediction, probabilities, activations, pixels }`.
 * @fires cnn-step - The tour moved to another step. `detail: { index, id, title }`.
 * @fires cnn-checkpoint - The reader (or the tour) chose another moment of training. `detail: { index, step, epoch, testAccuracy }`.
 * @fires cnn-error - Something failed (model download, server, WebGL). `detail: { type, message, sourceError }`.
 *
 * @slot - `<cnn-step for="step-id" title="…">text</cnn-step>` children replace a tour step's words.
 *
 * @csspart draw-pad - The drawing area.
 * @csspart draw-pad-canvas - The canvas the reader draws on (inside the draw pad).
 * @csspart stage - The 3D view of the network.
 * @csspart prediction - The prediction sentence and probability bars.
 * @csspart verdict - The prediction sentence.
 * @csspart bars - The probability bars.
 * @csspart narration - The tour's text and controls.
 * @csspart narration-text - The tour's title and text.
 * @csspart narration-controls - The tour's buttons.
 * @csspart samples - The row of sample digits.
 * @csspart progress - The loading bar.
 * @csspart error - The error message.
 * @csspart explanation - How the hovered, tapped or keyboard-selected cube was computed.
 * @csspart legend - The colour scale of the layer in focus, with its real numbers.
 * @csspart draw-pad-overlay - What is drawn over the drawing (a traced receptive field, saliency).
 * @csspart saliency-button - The button that shows which pixels mattered.
 * @csspart training - "How it learned": the slider over the model's moments of training, their accuracy and the first layer's filters.
 * @csspart button - The clear button.
 *
 * @cssprop --cnn-background - Background of the element.
 * @cssprop --cnn-text - Text colour.
 * @cssprop --cnn-muted - Secondary text colour (labels, hints).
 * @cssprop --cnn-accent - Accent colour (winner, buttons, focus rings).
 * @cssprop --cnn-accent-text - Text on the accent colour (the Play button).
 * @cssprop --cnn-border - Border colour.
 * @cssprop --cnn-pad-background - Background of the draw pad.
 * @cssprop --cnn-pad-border - Border of the draw pad.
 * @cssprop --cnn-bar - Colour of the probability bars.
 * @cssprop --cnn-winner - Colour of the winning class (its bar and digit), the strongest colour of the 3D view.
 * @cssprop --cnn-button-background - Background of the tour's buttons.
 * @cssprop --cnn-stage-background - Background around the 3D view.
 * @cssprop --cnn-radius - Corner radius.
 * @cssprop --cnn-font - Font family.
 * @cssprop --cnn-stage-height - Height of the 3D view (default 460px; 340px on narrow layouts).
 */
export class CnnVisualizer extends LitElement {
  static override styles = elementStyles;

  static override properties = {
    backend: { converter: { fromAttribute: (v: string | null) => v ?? 'local' } },
    modelUrl: { attribute: 'model-url' },
    wasmPath: { attribute: 'wasm-path' },
    serverUrl: { attribute: 'server-url' },
    encoding: {},
    theme: { reflect: true },
    loading: {},
    tour: {},
    step: {},
    hide: {},
    digit: {},
    showSaliency: { attribute: 'show-saliency', type: Boolean, reflect: true },
    normalization: {},
    classes: {},
    ink: {},
    checkpoint: {
      converter: {
        fromAttribute: (v: string | null) => (v === null || v.trim() === '' ? null : Number(v)),
      },
    },
  };

  /**
   * Where the network runs: `local` (in the page, onnxruntime-web, loaded on first use), `server`
   * (our server over a WebSocket, see `server-url`; `ws` is accepted too), or `auto` (the server,
   * falling back to local). You may also assign any object with `infer(pixels) → Promise<Activations>`
   * to this property. Changing it at any time switches backends. Default `local`.
   */
  backend: BackendName | InferenceBackend = 'local';
  /**
   * URL of the model: a description `cnn.json` (the ONNX file is found next to it), or an `.onnx`
   * file read directly in the page (any small image classifier with a 1×H×W or 3×H×W input, H and
   * W up to 64; see the README for the supported operators). Changing it loads the new model. Default: next to this script.
   */
  modelUrl = new URL('cnn.json', HERE).href;
  /** Folder URL of onnxruntime-web's `.wasm` files. Default: next to this script. */
  wasmPath = HERE.href;
  /** WebSocket URL of the inference server. Default: `/ws` on the host this script came from. */
  serverUrl = defaultServerUrl();
  /** Activations on the wire for `server`: `float32` (exact) or `uint8` (4× smaller). Default `float32`. */
  encoding: 'float32' | 'uint8' = 'float32';
  /** `light` or `dark`. Default `light`. */
  theme: 'light' | 'dark' = 'light';
  /**
   * `lazy` (default): nothing is downloaded and no WebGL context is created until the element
   * nears the viewport. `eager`: start loading at once.
   */
  loading: 'lazy' | 'eager' = 'lazy';
  /**
   * The narrated tour: `auto` (default) plays it after the first drawing, `manual` shows the controls
   * but waits for Play, `off` hides it and shows results directly.
   */
  tour: TourMode = 'auto';
  /**
   * The tour step to open: `overview`, a layer's name (`input`, `conv1`, `relu1`, `pool1`, … as in
   * the model's description) or `verdict`. Changing it moves the tour there. Default: none (the tour
   * starts at the beginning).
   */
  step: string | null = null;
  /**
   * Parts a page does not want, comma-separated: `draw-pad`, `samples`, `chart`, `narration`
   * (e.g. `hide="draw-pad,samples"` with `digit="7"` for a figure of the network alone). Default: none.
   */
  hide: string | null = null;
  /** `0`–`9`: classify one of the shipped MNIST test digits, as if the reader had picked it. Default: none. */
  digit: string | null = null;
  /**
   * Shows which pixels of the drawing drove the answer: they glow over the draw pad and colour the
   * input layer (see `saliency()`). The reader toggles it with the button beside Clear. Default off.
   */
  showSaliency = false;
  /**
   * How 0–255 pixels (255 = ink) become the model's input, for a model of your own: a preset
   * (`mnist`: /255 then MNIST's mean 0.1307 and std 0.3081; `unit`: /255 only; `imagenet`) or
   * `mean/std` on the 0–1 scale (`0.5/0.5`, or one value per channel). Default: the description's,
   * or `unit` for an `.onnx` given directly.
   */
  normalization: string | null = null;
  /** Names of the model's classes, comma-separated (`cat,dog,…`). Default: the description's, or `0`…`N−1`. */
  classes: string | null = null;
  /** `bright` (ink is the high value, as in MNIST; the default) or `dark` (the model was trained on dark ink). */
  ink: 'bright' | 'dark' | null = null;
  /**
   * A moment of the model's training to run (models whose description lists `checkpoints`, like the
   * shipped LeNet-5): `0` is the network before any training step (random weights), the last is the
   * shipped model. The reader picks one with the "How it learned" slider; the view, the prediction,
   * the explanations and the saliency follow. Each moment's file is fetched when it is first chosen.
   * Default: the last.
   */
  checkpoint: number | null = null;

  private readonly stage = new StageController(
    this,
    () => this.loader.onNear(),
    (e) => this.loader.fail('webgl', `The 3D view could not start: ${(e as Error).message}`, e),
  );
  private readonly backends = new BackendController(this, (p) => this.loader.progressed(p));
  private readonly tourFeature = new TourController(this);
  private readonly input: InputController = new InputController(this, {
    model: () => this.loader.model,
    inference: () => (this.loader.loaded ? this.backends.inference : undefined),
    ready: () => this.loader.ready,
    show: (acts, pixels) => this.show(acts, pixels),
    cleared: () => {
      this.stage.setActivations(null);
      this.tourFeature.onCleared();
      this.inspection.close();
      this.saliencyFeature.clear();
      this.requestUpdate();
    },
    fail: (e) => this.loader.fail('inference', (e as Error).message, e),
  });
  private readonly training: TrainingController = new TrainingController(this, {
    model: () => this.loader.model,
    backend: () => (this.loader.loaded ? this.backends.inference : undefined),
    reclassify: () => this.input.refresh(),
    weightsInPage: () => this.backends.active === 'local',
  });
  private readonly loader: LoadingController = new LoadingController(this, {
    stage: this.stage,
    backend: this.backends,
    input: this.input,
    tour: this.tourFeature,
    training: this.training,
  });
  private readonly inspection: InspectionController = new InspectionController(this, {
    model: () => this.loader.model,
    onnxUrl: () => this.training.onnxUrl(),
    weights: () => this.loader.loadedModel?.weights,
    activations: () => this.input.activations,
    focusLayer: () => this.tourFeature.focusLayer,
    marksChanged: () => this.updateMarks(),
  });
  private readonly saliencyFeature: SaliencyController = new SaliencyController(this, {
    backend: () => (this.loader.loaded ? this.backends.inference : undefined),
    pixels: () => this.input.pixels,
    model: () => this.loader.model,
    view: () => this.stage.view,
    inputLayer: () => this.loader.model?.layers[0].name,
    marksChanged: () => this.updateMarks(),
    fail: (e) =>
      this.loader.fail('inference', `Could not compute which pixels mattered: ${(e as Error).message}`, e),
  });
  private readonly labels = new LabelsController(this);

  constructor() {
    super();
    this.stage.onView((view) => {
      this.tourFeature.setView(view);
      this.inspection.setView(view);
      this.labels.setView(view);
      if (view) this.saliencyFeature.refresh();
    });
    // the tour's closing step plays the moments of training on the reader's drawing
    this.tourFeature.onStepState = (id, playing) => {
      if (id !== 'training') this.training.stop();
      else if (playing) void this.training.play(TRAINING_MOMENT_MS);
    };
  }

  /** True once the element can classify (see `ready`). */
  get loaded(): boolean {
    return this.loader.loaded;
  }

  /**
   * Resolves when the element can classify — also when awaited long after it loaded (like
   * `document.fonts.ready`). Rejects if loading failed. Changing the model or backend starts a new one.
   */
  get ready(): Promise<void> {
    return this.loader.ready;
  }

  /** Which backend answers: `local`, `server` or `custom` (empty before loading). */
  get activeBackend(): ActiveBackend | '' {
    return this.backends.active;
  }

  /** @deprecated Use `activeBackend`. */
  get activeBackendName(): string {
    return this.activeBackend;
  }

  /** Erases the drawing and the results. */
  clear(): void {
    this.input.clear();
  }

  /**
   * Classifies an input given directly, shows it on the draw pad and returns the activations once
   * the element can classify. Either the model's input bytes as they are (a `Uint8Array` or array
   * of C×H×W values, 0–255, 255 = ink; H×W for a grey model, e.g. 784 for MNIST's 28×28), or a
   * picture of any size — `ImageData`, a canvas, an `<img>`, an `ImageBitmap` — resized to the
   * model's H×W (colour kept for 3 channels, luminance for 1; its values reach the model as they
   * are). Rejects with a clear error for a wrong length or a picture the page cannot read.
   */
  async setInput(input: InputValue): Promise<Activations> {
    return this.input.setInput(input);
  }

  /** Properties whose change needs a new load (model) or a new backend. */
  private static readonly RELOADING = new Set<PropertyKey>([
    'modelUrl',
    'backend',
    'serverUrl',
    'encoding',
    'wasmPath',
  ]);

  override requestUpdate(name?: PropertyKey, oldValue?: unknown, options?: PropertyDeclaration): void {
    super.requestUpdate(name, oldValue, options);
    // `ready` and `loaded` tell the truth as soon as the property is set, not one update later
    if (name !== undefined && CnnVisualizer.RELOADING.has(name)) this.loader?.invalidate();
  }

  /**
   * How number `index` of layer `layer` was computed for the current drawing, from the model's own
   * weights (read from its ONNX file on first use): `{ layer, index, value, operation, inputs:
   * { layer, indices, values }, weights?, bias? }` and what the explanation panel draws. `index` is
   * the flat index into the layer's activation (channel-major, as in `cnn-prediction`'s
   * `activations`); `inputs` lists every input that contributes (a padded position contributes
   * nothing and is left out); for conv and dense `value = Σ values·weights + bias`.
   */
  explain(layer: string, index: number): Promise<Explanation> {
    return this.inspection.explain(layer, index);
  }

  /**
   * Which pixels drove the answer: one value per input pixel (H×W), larger = that pixel mattered
   * more for the predicted class. Occlusion saliency, computed with the current backend.
   */
  saliency(): Promise<Float32Array> {
    return this.saliencyFeature.compute();
  }

  /** The draw pad's marks: the selected cube's receptive field, and the saliency glow. */
  private updateMarks() {
    const pad = this.renderRoot?.querySelector<CnnDrawPad>('cnn-draw-pad');
    if (!pad) return;
    const glow = this.saliencyFeature.glow;
    const box = this.inspection.field;
    pad.mark(glow || box ? this.input.frame : null, { glow, box });
  }

  protected override updated(changed: PropertyValues<this>): void {
    const backendKeys = ['backend', 'serverUrl', 'encoding', 'wasmPath'] as const;
    if (this.loader.model && backendKeys.some((k) => changed.has(k) && changed.get(k) !== undefined))
      void this.loader.replaceBackend();
  }

  private show(acts: Activations, pixels: Uint8Array) {
    this.loader.recovered();
    this.stage.setActivations(acts);
    this.tourFeature.onResult();
    this.inspection.refresh();
    this.saliencyFeature.refresh();
    this.requestUpdate();
    emit(this, 'cnn-prediction', {
      prediction: acts.prediction,
      probabilities: acts.probabilities,
      activations: acts,
      pixels,
    });
  }

  private isHidden(part: Hideable): boolean {
    return (this.hide ?? '').split(',').some((p) => p.trim() === part);
  }

  override render() {
    const explanation = this.inspection.explanation;
    const legendLayer = this.inspection.selected?.layer ?? this.tourFeature.focusLayer;
    const { status, progress, errorMessage } = this.loader;
    const narration = this.tourFeature.narration;
    const showInput = INPUT_PARTS.some((p) => !this.isHidden(p));
    const checkpoints = this.isHidden('training') ? undefined : this.training.checkpoints;
    const probabilities = this.input.activations?.probabilities ?? null;
    return html`
      <div class="layout ${showInput ? '' : 'network-only'}">
        ${
          showInput
            ? html`<section class="input">
                ${
                  this.isHidden('draw-pad')
                    ? nothing
                    : html`<cnn-draw-pad
                          part="draw-pad"
                          exportparts="canvas: draw-pad-canvas, overlay: draw-pad-overlay"
                          @cnn-draw-change=${this.input.onDraw}
                        ></cnn-draw-pad>
                        <div class="row">
                          <button part="button" type="button" class="clear" @click=${() => this.clear()}>
                            Clear
                          </button>
                          <button
                            part="button saliency-button"
                            type="button"
                            class="clear"
                            aria-pressed=${this.showSaliency ? 'true' : 'false'}
                            title="Which pixels of your drawing drove the answer"
                            @click=${() => (this.showSaliency = !this.showSaliency)}
                          >
                            What mattered?
                          </button>
                          <span class="backend" title="Where the network runs">${this.backendLabel()}</span>
                        </div>`
                }
                ${
                  this.isHidden('chart')
                    ? nothing
                    : html`<cnn-prediction-chart
                        part="prediction"
                        exportparts="verdict, bars"
                        .probabilities=${probabilities}
                        .classes=${this.loader.model?.classes ?? DIGITS}
                      ></cnn-prediction-chart>`
                }
                ${
                  checkpoints
                    ? html`<cnn-training-panel
                        part="training"
                        .checkpoints=${checkpoints}
                        .index=${this.training.index}
                        .kernels=${this.training.kernels}
                        .busy=${this.training.busy}
                        .message=${this.training.supported ? '' : 'This backend runs only the model’s own weights.'}
                        .theme=${this.theme}
                        @cnn-checkpoint-choose=${(e: CustomEvent<{ index: number }>) =>
                          this.training.choose(e.detail.index)}
                      ></cnn-training-panel>`
                    : nothing
                }
                ${
                  this.isHidden('samples')
                    ? nothing
                    : html`<cnn-sample-digits
                        part="samples"
                        @cnn-sample=${(e: CustomEvent<{ pixels: Uint8Array }>) =>
                          void this.input.set(e.detail.pixels, 'sample').catch(() => undefined)}
                      ></cnn-sample-digits>`
                }
              </section>`
            : nothing
        }
        <section class="network">
          <div class="stage-box">
            <div class="stage-wrap" @keydown=${{ handleEvent: this.inspection.onKey, capture: true }}>
              ${keyed(
                this.stage.canvasKey,
                html`<canvas
                  class="stage"
                  part="stage"
                  tabindex="0"
                  aria-label="3D view of the network's layers. Arrow keys rotate, plus and minus zoom; Enter explains a number, then arrow keys step through them, Page Up and Down change layer, Escape closes."
                  @pointermove=${this.inspection.onPointer}
                  @pointerdown=${this.inspection.onPointer}
                  @pointerleave=${(e: PointerEvent) => e.pointerType === 'mouse' && this.inspection.close()}
                  @wheel=${(e: WheelEvent) => {
                    this.stage.onWheel(e);
                    if (e.ctrlKey || e.metaKey) this.inspection.close();
                  }}
                ></canvas>`,
              )}
              <div class="labels" aria-hidden="true"></div>
              ${renderLegend(this.loader.model, this.input.activations, legendLayer, this.theme)}
              ${this.stage.zoomHint ? html`<div class="hint" role="status">${zoomHint()}</div>` : nothing}
              <div class="visually-hidden" aria-live="polite">${this.inspection.announcement}</div>
              ${
                status === 'loading'
                  ? html`<div
                      class="progress"
                      part="progress"
                      role="progressbar"
                      aria-label="Loading the network"
                      aria-valuemin="0"
                      aria-valuemax="100"
                      aria-valuenow=${Math.round(progress * 100)}
                    >
                      <div style="width:${(progress * 100).toFixed(0)}%"></div>
                    </div>`
                  : nothing
              }
              ${status === 'error' ? html`<div class="error" part="error" role="alert">${errorMessage}</div>` : nothing}
            </div>
            ${
              explanation
                ? html`<cnn-explanation-panel
                    class="explanation"
                    part="explanation"
                    .explanation=${explanation}
                    .theme=${this.theme}
                    .activations=${this.input.activations}
                  ></cnn-explanation-panel>`
                : nothing
            }
          </div>
          ${
            this.tour !== 'off' && narration && !this.isHidden('narration')
              ? html`<cnn-narration-panel
                  part="narration"
                  exportparts="narration-text, narration-controls"
                  .state=${narration}
                  @cnn-tour-command=${(e: CustomEvent<{ command: TourCommand; value?: number }>) =>
                    this.tourFeature.command(e.detail.command, e.detail.value)}
                ></cnn-narration-panel>`
              : nothing
          }
        </section>
      </div>
    `;
  }

  private backendLabel() {
    const a = this.activeBackend;
    if (a === 'server') return 'running on the server';
    if (a === 'local') return 'running in your browser';
    if (a === 'custom') return 'custom backend';
    return '';
  }
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** The parts of the input column: when all are hidden, the network takes the whole element. */
const INPUT_PARTS: readonly Hideable[] = ['draw-pad', 'samples', 'chart'];
/** How long the tour's closing step shows each moment of training (longer while one loads). */
const TRAINING_MOMENT_MS = 1300;

function zoomHint(): string {
  const mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');
  return `Use ${mac ? '⌘' : 'Ctrl'} + scroll to zoom, or pinch`;
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
  interface HTMLElementEventMap {
    'cnn-progress': import('./features/events.js').CnnEventMap['cnn-progress'];
    'cnn-ready': import('./features/events.js').CnnEventMap['cnn-ready'];
    'cnn-input': import('./features/events.js').CnnEventMap['cnn-input'];
    'cnn-prediction': import('./features/events.js').CnnEventMap['cnn-prediction'];
    'cnn-step': import('./features/events.js').CnnEventMap['cnn-step'];
    'cnn-checkpoint': import('./features/events.js').CnnEventMap['cnn-checkpoint'];
    'cnn-error': import('./features/events.js').CnnEventMap['cnn-error'];
  }
}
