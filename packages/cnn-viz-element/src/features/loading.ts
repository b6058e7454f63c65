/**
 * Loading: when the element starts, what it loads in which order, and how a page learns where it
 * stands. The conductor of the other features.
 *
 * Adds to `<cnn-visualizer>`:
 * - attribute/property `loading`: `lazy` (default: nothing is downloaded until the element nears
 *   the viewport) or `eager`;
 * - attribute/property `model-url`: changing it loads the new model (the current input is kept and
 *   classified again);
 * - read-only `loaded` (boolean) and `ready` (a Promise that resolves once the element can
 *   classify — also when awaited long after; a new one starts when the model or backend changes);
 * - events `cnn-progress` `{ phase, loaded, total }`, `cnn-ready` `{ model, backend }`,
 *   `cnn-error` `{ type, message, sourceError }`.
 * Life cycle: moving the element keeps it working (nothing is released during a move); removing it
 * releases its WebGL context, socket and runtime within a tenth of a second; re-adding it starts again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadModelDescription, type LoadedModel } from '../model/load-description.js';
import { layerSize, parseNormalization, type ModelDescription } from '../model/description.js';
import { inputShape } from '../model/input-shape.js';
import { checkRenderable } from '../render/limits.js';
import type { BackendController } from './backend.js';
import { emit, type ErrorDetail, type ProgressDetail } from './events.js';
import type { InputController } from './input.js';
import type { StageController } from './stage.js';
import type { TourController } from './tour.js';
import type { TrainingController } from './training.js';

export interface LoadingHost extends ReactiveControllerHost, HTMLElement {
  loading: 'lazy' | 'eager';
  modelUrl: string;
  /** What a model of the page's own needs (override its description): see the element's docs. */
  normalization?: string | null;
  classes?: string | null;
  ink?: 'bright' | 'dark' | null;
}

/** Everything that selects the model: a change of any of these loads it again. */
const modelKey = (h: LoadingHost) => JSON.stringify([h.modelUrl, h.normalization, h.classes, h.ink]);

export type Status = 'idle' | 'loading' | 'ready' | 'error';

/** How long a removed element waits before releasing everything (a move re-adds it at once). */
const RELEASE_AFTER_MS = 100;

interface Features {
  stage: StageController;
  backend: BackendController;
  input: InputController;
  tour: TourController;
  training: TrainingController;
}

export class LoadingController implements ReactiveController {
  status: Status = 'idle';
  /** 0–1, for the progress bar. */
  progress = 0;
  errorMessage = '';
  model?: ModelDescription;
  /** The model as loaded (an `.onnx` given directly also brings its bytes and weights). */
  loadedModel?: LoadedModel;
  /** Which start is current: older async steps see a different number and stop. */
  private generation = 0;
  private started = false;
  private startedFor?: string;
  private releaseTimer?: ReturnType<typeof setTimeout>;
  private readyPromise!: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;
  private readySettled = false;

  constructor(
    private readonly host: LoadingHost,
    private readonly f: Features,
  ) {
    host.addController(this);
    this.newReady();
  }

  get loaded(): boolean {
    return this.status === 'ready';
  }

  get ready(): Promise<void> {
    return this.readyPromise;
  }

  hostConnected(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.maybeStart();
  }

  hostDisconnected(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => this.release(), RELEASE_AFTER_MS);
  }

  hostUpdated(): void {
    if (this.started && this.startedFor !== modelKey(this.host)) {
      this.release();
      this.maybeStart();
    } else {
      this.maybeStart();
    }
  }

  /**
   * A property that needs a new load changed (model or backend): `loaded` turns false and `ready`
   * waits for the new load at once, before the element's next update does the work.
   */
  invalidate(): void {
    if (this.started && this.status !== 'loading') this.begin();
  }

  /** The stage came near the viewport or left it. */
  onNear(): void {
    this.maybeStart();
  }

  /** Replaces the backend after `backend`, `server-url`, `encoding` or `wasm-path` changed. */
  async replaceBackend(): Promise<void> {
    if (!this.started || !this.model) return;
    const gen = ++this.generation;
    this.begin();
    await this.connectBackend(this.model, gen);
  }

  /** Reports a failure: the message in the stage, `cnn-error`, and `ready` rejects. */
  fail(type: ErrorDetail['type'], message: string, sourceError?: unknown): void {
    this.status = 'error';
    this.errorMessage = message;
    if (!this.readySettled) {
      this.readySettled = true;
      this.rejectReady(new Error(message));
    }
    this.host.requestUpdate();
    emit(this.host, 'cnn-error', { type, message, sourceError });
  }

  /** An inference succeeded after an error: the element works again. */
  recovered(): void {
    if (this.status !== 'error' || !this.model || !this.f.backend.inference) return;
    this.status = 'ready';
    this.settleReady();
    this.host.requestUpdate();
  }

  progressed(p: ProgressDetail): void {
    const share = { description: [0, 0.1], connection: [0.1, 1], runtime: [0.1, 0.6], model: [0.6, 1] }[
      p.phase
    ];
    const f = p.total > 0 ? Math.min(1, p.loaded / p.total) : 0;
    this.progress = Math.max(this.progress, share[0] + (share[1] - share[0]) * f);
    this.host.requestUpdate();
    emit(this.host, 'cnn-progress', p);
  }

  private maybeStart() {
    const h = this.host;
    if (this.started || !h.isConnected) return;
    if (h.loading !== 'eager' && !this.f.stage.near) return;
    void this.start();
  }

  private async start() {
    const gen = ++this.generation;
    this.started = true;
    this.startedFor = modelKey(this.host);
    this.begin();
    this.progressed({ phase: 'description', loaded: 0, total: 1 });
    let model: ModelDescription;
    try {
      this.loadedModel = await loadModelDescription(this.host.modelUrl);
      model = withOverrides(this.loadedModel.description, this.host);
      inputShape(model.input.shape); // 1 or 3 channels, at most 64×64: throws in words otherwise
    } catch (e) {
      if (gen === this.generation)
        this.fail('model', `Could not load the model description: ${(e as Error).message}`, e);
      return;
    }
    try {
      checkRenderable(model); // before anything is downloaded or a WebGL context taken for it
    } catch (e) {
      if (gen === this.generation) this.fail('model', `Too large to draw: ${(e as Error).message}`, e);
      return;
    }
    if (gen !== this.generation) return;
    this.progressed({ phase: 'description', loaded: 1, total: 1 });
    this.model = model;
    this.f.tour.setModel(model);
    await this.f.stage.show(model);
    if (gen !== this.generation) return;
    await this.connectBackend(model, gen);
  }

  private async connectBackend(model: ModelDescription, gen: number) {
    try {
      await this.f.backend.create(model, this.loadedModel?.bytes);
    } catch (e) {
      if (gen === this.generation)
        this.fail('backend', `Could not load the network: ${(e as Error).message}`, e);
      return;
    }
    if (gen !== this.generation) return;
    if (this.f.backend.inference) this.f.training.prime(this.f.backend.inference);
    this.status = 'ready';
    this.progress = 1;
    this.settleReady();
    this.host.requestUpdate();
    emit(this.host, 'cnn-ready', { model, backend: this.f.backend.active || 'local' });
    void this.f.input.refresh();
  }

  /** Everything is released: the element was removed, or its model changes. */
  private release() {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.generation++;
    this.started = false;
    this.startedFor = undefined;
    this.model = undefined;
    this.loadedModel = undefined;
    this.f.tour.setModel(undefined);
    this.f.stage.reset();
    this.f.backend.dispose();
    if (this.status !== 'idle') {
      this.status = 'idle';
      this.host.requestUpdate();
    }
    if (this.readySettled) this.newReady();
  }

  /** A new load begins: `loaded` is false and `ready` waits for it. */
  private begin() {
    this.status = 'loading';
    this.progress = 0;
    this.errorMessage = '';
    if (this.readySettled) this.newReady();
    this.host.requestUpdate();
  }

  private settleReady() {
    if (this.readySettled) return;
    this.readySettled = true;
    this.resolveReady();
  }

  private newReady() {
    this.readySettled = false;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.readyPromise.catch(() => undefined); // a page that never awaits it sees no unhandled rejection
  }
}

/**
 * The description with the page's overrides (`normalization`, `classes`, `ink` attributes), as a
 * copy: descriptions are shared between elements.
 */
function withOverrides(d: ModelDescription, h: LoadingHost): ModelDescription {
  if (!h.normalization && !h.classes && !h.ink) return d;
  const channels = d.input.shape[0];
  const classes = h.classes ? h.classes.split(',').map((c) => c.trim()) : d.classes;
  const outputs = layerSize(d.layers[d.layers.length - 1]);
  if (classes.length !== outputs)
    throw new Error(`classes lists ${classes.length} names; the model has ${outputs} outputs`);
  return {
    ...d,
    classes,
    input: {
      ...d.input,
      normalization: h.normalization ? parseNormalization(h.normalization, channels) : d.input.normalization,
      ink: h.ink ?? d.input.ink,
    },
  };
}
