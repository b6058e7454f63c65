/**
 * Saliency: which pixels of the drawing drove the answer.
 *
 * Adds to `<cnn-visualizer>`:
 * - method `saliency()` → `Promise<Float32Array>`: one value per input pixel (H×W, whatever the
 *   channels: a pixel's ink in every channel is wiped at once), larger = that
 *   pixel mattered more for the predicted class (occlusion: patches of the drawing are wiped to no
 *   ink, the background the network was trained on, and the drop in the class's log-odds is
 *   shared among the wiped pixels). Runs on any backend: batched in the page, pipelined on a server;
 * - attribute/property `show-saliency` (boolean): the map glows over the draw pad and colours the
 *   input layer, recomputed as the reader draws; a button beside Clear toggles it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InferenceBackend } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import { inputShape } from '../model/input-shape.js';
import { saliencyOverlay } from '../render/colormap.js';
import type { NetworkView } from '../render/network-view.js';

export interface SaliencyHost extends ReactiveControllerHost {
  showSaliency: boolean;
  theme: 'light' | 'dark';
}

export interface SaliencySources {
  backend: () => InferenceBackend | undefined;
  pixels: () => Uint8Array | null;
  model: () => ModelDescription | undefined;
  view: () => NetworkView | undefined;
  inputLayer: () => string | undefined;
  marksChanged: () => void;
  fail: (e: unknown) => void;
}

export class SaliencyController implements ReactiveController {
  /** The map shown (null: off, or nothing drawn). */
  map: Float32Array | null = null;
  /** The map as RGBA over the input's H×W, for the draw pad. */
  glow: Uint8ClampedArray<ArrayBuffer> | null = null;
  private shown = false;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly host: SaliencyHost,
    private readonly from: SaliencySources,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostUpdated(): void {
    if (this.host.showSaliency === this.shown) return;
    this.shown = this.host.showSaliency;
    if (this.shown) this.refresh();
    else this.clear();
  }

  /** Saliency of the current input for its predicted class. */
  async compute(): Promise<Float32Array> {
    const backend = this.from.backend();
    const pixels = this.from.pixels();
    const model = this.from.model();
    if (!backend || !model) throw new Error('the visualizer is not ready: await `ready` first');
    if (!pixels) throw new Error('nothing drawn: draw a digit or call setInput() first');
    const { batchPredictor, saliency } = await import('../explain/saliency.js');
    const { channels, height, width } = inputShape(model.input.shape);
    // a model whose batch is fixed at 1 takes one picture per run: no batched predictBatch for it
    const runs = model.input.batch === 1 ? { infer: (p: Uint8Array) => backend.infer(p) } : backend;
    return saliency(pixels, batchPredictor(runs as Parameters<typeof batchPredictor>[0]), {
      channels,
      height,
      width,
    });
  }

  /** A new input was classified (or the view came back): recompute what is shown. */
  refresh(): void {
    if (!this.shown) return;
    if (this.running) {
      this.again = true; // one more pass after this one, for the newest drawing
      return;
    }
    this.running = this.update().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  /** The input was cleared or the overlay switched off. */
  clear(): void {
    this.map = null;
    this.glow = null;
    const layer = this.from.inputLayer();
    if (layer) this.from.view()?.setOverlay(layer, null);
    this.from.marksChanged();
    this.host.requestUpdate();
  }

  private async update() {
    if (!this.from.pixels() || !this.from.backend()) return this.clear();
    try {
      const model = this.from.model();
      const map = await this.compute();
      if (!this.shown || !model || this.from.model() !== model) return; // a new model: its own pass follows
      this.map = map;
      const { channels, width } = inputShape(model.input.shape);
      this.glow = saliencyOverlay(map, { theme: this.host.theme, width });
      // the input layer has a cube per channel of each pixel: each shows its pixel's saliency
      const cubes = new Float32Array(map.length * channels);
      for (let c = 0; c < channels; c++) cubes.set(map, c * map.length);
      const layer = this.from.inputLayer();
      if (layer) this.from.view()?.setOverlay(layer, cubes);
      this.from.marksChanged();
      this.host.requestUpdate();
    } catch (e) {
      this.from.fail(e);
    }
  }
}
