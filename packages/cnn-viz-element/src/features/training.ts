/**
 * Training: the same network at moments of its training, from random weights to the shipped model.
 *
 * Adds to `<cnn-visualizer>`:
 * - attribute/property `checkpoint`: an index into the description's `checkpoints` (0 = before any
 *   training step); default: the last, the shipped model. Changing it swaps the weights: the view,
 *   the prediction, the explanations and the saliency follow for the current drawing;
 * - `part="training"`: a slider shown when the model has checkpoints (hidden otherwise, or with
 *   `hide="training"`), with each moment's test accuracy and the first convolution's kernels drawn
 *   as small images, so the reader sees them form from noise into stroke detectors;
 * - event `cnn-checkpoint` `{ index, step, epoch, testAccuracy }` when the reader (or the tour)
 *   chooses another moment;
 * - `play()` for the tour's closing step "How did it learn this?".
 * A checkpoint's file is fetched only when it is chosen, once (the backends and the weight reader
 * cache it). Runs on the local backend and on the server (the protocol carries the index); a custom
 * backend without `setCheckpoint` runs only the model's own weights, and the slider says so.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InferenceBackend } from '../inference/activations.js';
import type { CheckpointDescription, LayerDescription, ModelDescription } from '../model/description.js';
import { loadWeights } from '../model/load-weights.js';
import type { Tensor } from '../model/tensor.js';
import { emit } from './events.js';

export interface TrainingHost extends ReactiveControllerHost, HTMLElement {
  checkpoint: number | null;
  modelUrl: string;
}

export interface TrainingSources {
  model: () => ModelDescription | undefined;
  /** The backend, once the element can classify. */
  backend: () => InferenceBackend | undefined;
  /** Classify the current input again (the weights changed). */
  reclassify: () => Promise<unknown>;
  /**
   * Whether the page downloads the model's files anyway (the local backend): then the filters are
   * drawn at once; with the network on a server, only once the reader uses the slider.
   */
  weightsInPage: () => boolean;
}

/** What the slider shows of the first convolution: its kernels, for one checkpoint. */
export interface Kernels {
  layer: string;
  /** Out-channel × (in-channel 0) kernel, row-major, `size`×`size`. */
  kernels: Float32Array[];
  size: number;
  /** The largest |weight| among them (one colour scale for the row). */
  range: number;
}

/** The first layer of the model that has kernels to show. */
const firstConv = (m: ModelDescription): LayerDescription | undefined =>
  m.layers.find((l) => l.kind === 'conv' && l.params);

export class TrainingController implements ReactiveController {
  /** The moment whose kernels are shown (undefined: not read yet). */
  kernels?: Kernels;
  /** A checkpoint is loading or running. */
  busy = false;
  /** The checkpoint the backend runs now, and which backend that is (another one starts afresh). */
  private applied?: number;
  private appliedTo?: InferenceBackend;
  private modelSeen?: ModelDescription;
  private panelLoaded = false;
  private applying?: Promise<void>;
  private playToken = 0;
  private kernelsFor?: string;
  /** The model for which the reader (or the tour, or the page) chose a moment. */
  private chosenFor?: ModelDescription;

  constructor(
    private readonly host: TrainingHost,
    private readonly from: TrainingSources,
  ) {
    host.addController(this);
  }

  /** The model's moments of training (at least two), or undefined. */
  get checkpoints(): CheckpointDescription[] | undefined {
    const c = this.from.model()?.checkpoints;
    return c && c.length >= 2 ? c : undefined;
  }

  /** The chosen moment's index (the `checkpoint` property, clamped; default the last). */
  get index(): number {
    const c = this.checkpoints;
    if (!c) return 0;
    const i = this.host.checkpoint;
    return i === null || i === undefined || !Number.isFinite(i)
      ? c.length - 1
      : Math.max(0, Math.min(c.length - 1, Math.round(i)));
  }

  /** Whether the backend can run other weights than the model's own. */
  get supported(): boolean {
    const b = this.from.backend();
    return !b || typeof b.setCheckpoint === 'function';
  }

  /** URL of the ONNX file whose weights run now: the chosen checkpoint's, else the model's. */
  onnxUrl(): string | undefined {
    const model = this.from.model();
    if (!model) return undefined;
    const c = this.supported ? this.checkpoints : undefined; // a backend that cannot switch runs the model's own
    const file = c ? c[this.index].onnx : model.onnx;
    return new URL(file, new URL(this.host.modelUrl, document.baseURI)).href;
  }

  hostUpdated(): void {
    void this.sync();
  }

  /**
   * A new backend is about to answer its first request: it runs the chosen moment from the start
   * (no first answer from other weights).
   */
  prime(backend: InferenceBackend): void {
    const c = this.checkpoints;
    if (!c || !backend.setCheckpoint) return;
    const index = this.index;
    backend.setCheckpoint(index === c.length - 1 ? null : index);
    this.appliedTo = backend;
    this.applied = index;
    if (index !== c.length - 1) this.chosenFor = this.from.model(); // the page chose a moment: show its filters
  }

  /** The reader chose moment `i` on the slider. */
  choose(i: number): void {
    this.playToken++; // a reader's choice stops the tour's playback
    this.select(i);
  }

  /**
   * Plays every moment in turn on the current drawing, about `perMomentMs` each (longer while a
   * checkpoint loads), ending on the shipped model. Stops when the reader chooses a moment.
   */
  async play(perMomentMs: number): Promise<void> {
    const c = this.checkpoints;
    if (!c || !this.supported) return;
    const token = ++this.playToken;
    for (let i = 0; i < c.length; i++) {
      if (token !== this.playToken) return;
      const t0 = performance.now();
      this.select(i);
      await this.sync();
      const rest = perMomentMs - (performance.now() - t0);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
  }

  /** Stops a playback (the tour left its step). */
  stop(): void {
    this.playToken++;
  }

  private select(i: number) {
    const c = this.checkpoints;
    if (!c) return;
    const index = Math.max(0, Math.min(c.length - 1, i));
    if (index === this.index && this.host.checkpoint !== null) return;
    this.host.checkpoint = index;
    const m = c[index];
    emit(this.host, 'cnn-checkpoint', {
      index,
      step: m.step,
      epoch: m.epoch,
      testAccuracy: m.testAccuracy,
    });
  }

  /** Brings the backend and the kernels to the chosen moment (one change at a time). */
  private sync(): Promise<void> {
    const run = (this.applying ?? Promise.resolve()).then(() => this.apply());
    this.applying = run.finally(() => {
      if (this.applying === run) this.applying = undefined;
    });
    return run;
  }

  private async apply() {
    const model = this.from.model();
    if (model !== this.modelSeen) {
      // another model (or none): its own moments, kernels and backend
      this.modelSeen = model;
      this.kernels = undefined;
      this.kernelsFor = undefined;
      this.playToken++;
    }
    const c = this.checkpoints;
    const backend = this.from.backend();
    if (!c || !backend) return;
    if (!this.panelLoaded) {
      this.panelLoaded = true;
      void import('../ui/training-panel.js'); // the slider's code loads with the first model that has moments
    }
    if (backend !== this.appliedTo) {
      // a new backend runs the model's own weights, the last moment
      this.appliedTo = backend;
      this.applied = c.length - 1;
    }
    const index = this.index;
    const last = index === c.length - 1;
    if (index !== this.applied) {
      this.chosenFor = model;
      if (!backend.setCheckpoint) {
        return; // the slider says so
      } else {
        this.busy = true;
        this.host.requestUpdate();
        backend.setCheckpoint(last ? null : index);
        this.applied = index;
        // a checkpoint that cannot load shows as the element's error, like any failed inference
        await this.from.reclassify();
        this.busy = false;
        this.host.requestUpdate();
      }
    }
    await this.readKernels();
  }

  private async readKernels() {
    const model = this.from.model();
    const url = this.onnxUrl();
    const layer = model && this.checkpoints && firstConv(model);
    if (!url || !layer || url === this.kernelsFor) return;
    if (this.chosenFor !== model && !this.from.weightsInPage()) return;
    this.kernelsFor = url;
    try {
      const weights = await loadWeights(url);
      if (url !== this.onnxUrl()) return;
      const name = layer.tensors?.weight ?? Object.keys(layer.params ?? {}).find((n) => /weight/.test(n));
      const w = name ? weights.get(name) : undefined;
      if (!w || w.dims.length !== 4) return;
      this.kernels = kernelsOf(layer.name, w);
      this.host.requestUpdate();
    } catch {
      this.kernelsFor = undefined; // shown without kernels; tried again on the next change
    }
  }
}

/** Each output channel's kernel over the first input channel, and the range of the whole row. */
function kernelsOf(layer: string, w: Tensor): Kernels {
  const [out, inC, kh, kw] = w.dims;
  const kernels: Float32Array[] = [];
  let range = 0;
  for (let o = 0; o < out; o++) {
    const k = w.data.slice(o * inC * kh * kw, o * inC * kh * kw + kh * kw);
    for (const v of k) range = Math.max(range, Math.abs(v));
    kernels.push(k);
  }
  return { layer, kernels, size: kh, range };
}
