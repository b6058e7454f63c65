/**
 * Inspection: any cube explains itself.
 *
 * Adds to `<cnn-visualizer>`:
 * - method `explain(layer, index)` → `Promise<Explanation>`: how number `index` (flat,
 *   channel-major) of `layer` was computed for the current drawing, from the model's own weights
 *   (read from its ONNX file in the page, on first use);
 * - hover (mouse), tap (touch, pen) or keyboard-select a cube: it is highlighted with exactly the
 *   cubes it was computed from, its receptive field is traced back onto the draw pad, and
 *   `part="explanation"` shows the arithmetic with this drawing's numbers;
 * - keyboard: with the 3D view focused, Enter selects a cube of the layer in focus; arrow keys
 *   step through its cubes, Page Up/Down change layer, Escape closes; each step is announced in a
 *   live region;
 * - the panel closes when the reader moves the camera.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Explanation } from '../explain/types.js';
import type { Activations } from '../inference/activations.js';
import { layerSize, type ModelDescription } from '../model/description.js';
import { loadWeights } from '../model/load-weights.js';
import type { Weights } from '../model/tensor.js';
import type { NetworkView } from '../render/network-view.js';

export interface InspectionSources {
  model: () => ModelDescription | undefined;
  /** URL of the model's ONNX file. */
  onnxUrl: () => string | undefined;
  /** The weights, when they were read with the model (an `.onnx` at `model-url`). */
  weights: () => Weights | undefined;
  activations: () => Activations | null;
  /** The layer the reader is looking at (the tour's), for keyboard selection. */
  focusLayer: () => string | undefined;
  /** The pad's marks changed (a traced receptive field appeared or went). */
  marksChanged: () => void;
}

export class InspectionController implements ReactiveController {
  /** The cube being explained, and where the pointer was (null: nothing selected). */
  selected: { layer: string; index: number } | null = null;
  explanation: Explanation | null = null;
  /** What the live region says (the last selection, in words). */
  announcement = '';
  private view?: NetworkView;
  private request = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly from: InspectionSources,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  setView(view: NetworkView | undefined): void {
    this.view = view;
    this.close();
  }

  /** How number `index` of `layer` was computed for the current drawing. */
  async explain(layer: string, index: number): Promise<Explanation> {
    const model = this.from.model();
    const acts = this.from.activations();
    const url = this.from.onnxUrl();
    if (!model || !url) throw new Error('the visualizer has no model yet: await `ready` first');
    if (!acts) throw new Error('nothing to explain yet: draw a digit or call setInput() first');
    // the arithmetic and the panel load with the first explanation, not with the page
    const [weights, { explain }] = await Promise.all([
      this.from.weights() ?? loadWeights(url),
      import('../explain/explain.js'),
      import('../ui/explanation-panel.js'),
    ]);
    return explain(model, weights, acts, layer, index);
  }

  /** The receptive field of the selected cube on the input, for the pad (null: none). */
  get field(): Explanation['field'] | null {
    return this.explanation?.field ?? null;
  }

  readonly onPointer = (e: PointerEvent) => {
    if (!this.view || !this.from.activations()) return;
    // a drag turns the camera: what was under the pointer is no longer there
    if (e.type === 'pointermove' && e.buttons !== 0) return this.close();
    // a mouse explains what it hovers; touch and pen explain what they tap
    if (e.type === 'pointermove' && e.pointerType !== 'mouse') return;
    const pick = this.view.pick(e.offsetX, e.offsetY);
    if (!pick) {
      if (e.pointerType === 'mouse') this.close();
      return;
    }
    if (this.selected?.layer === pick.layer && this.selected.index === pick.index) return;
    this.select(pick.layer, pick.index);
  };

  /** Keys on the 3D view (listened to in the capture phase, before the camera's own keys). */
  readonly onKey = (e: KeyboardEvent) => {
    const model = this.from.model();
    if (!model || !this.from.activations()) return;
    const layers = model.layers;
    const s = this.selected;
    if (!s) {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const layer = this.from.focusLayer() ?? layers[1]?.name ?? layers[0].name;
      this.select(layer, 0);
    } else {
      const li = layers.findIndex((l) => l.name === s.layer);
      const l = layers[li];
      const count = layerSize(l);
      const rowStep = l.shape.length === 3 ? l.shape[2] : 1;
      let layer = s.layer;
      let index = s.index;
      if (e.key === 'ArrowRight') index += 1;
      else if (e.key === 'ArrowLeft') index -= 1;
      else if (e.key === 'ArrowDown') index += rowStep;
      else if (e.key === 'ArrowUp') index -= rowStep;
      else if (e.key === 'Home') index = 0;
      else if (e.key === 'End') index = count - 1;
      else if (e.key === 'PageDown' || e.key === 'PageUp') {
        const next = layers[Math.max(0, Math.min(layers.length - 1, li + (e.key === 'PageDown' ? 1 : -1)))];
        layer = next.name;
        index = Math.min(index, layerSize(next) - 1);
      } else if (e.key === 'Escape') {
        this.close();
      } else return;
      if (e.key !== 'Escape') {
        const size = layerSize(layers.find((x) => x.name === layer)!);
        this.select(layer, Math.max(0, Math.min(size - 1, index)));
      }
    }
    e.preventDefault();
    e.stopPropagation();
  };

  readonly close = () => {
    this.request++;
    if (!this.selected && !this.explanation) return;
    this.selected = null;
    this.explanation = null;
    this.view?.highlight(null);
    this.from.marksChanged();
    this.host.requestUpdate();
  };

  /** New activations: the selected cube explains its new value. */
  refresh(): void {
    if (this.selected) this.select(this.selected.layer, this.selected.index);
  }

  private select(layer: string, index: number) {
    const view = this.view;
    if (!view) return;
    this.selected = { layer, index };
    view.highlightInputs(layer, index, null, []);
    const request = ++this.request;
    Promise.all([this.explain(layer, index), import('../explain/formula.js')]).then(
      ([e, { describe }]) => {
        if (request !== this.request) return;
        this.explanation = e;
        this.announcement = describe(e);
        const from = e.inputs.layer && e.inputs.layer !== layer ? e.inputs.layer : null;
        // a dense unit reads everything: its largest contributions say more than the whole layer
        const shown = e.operation === 'dense' ? e.top.map((t) => t.index) : e.inputs.indices;
        this.view?.highlightInputs(layer, index, from, shown);
        this.from.marksChanged();
        this.host.requestUpdate();
      },
      (err: Error) => {
        if (request !== this.request) return;
        this.explanation = null;
        this.announcement = `${layer}, number ${index}: ${err.message}`;
        this.host.requestUpdate();
      },
    );
    this.host.requestUpdate();
  }
}
