/**
 * Inspection: pointing at a cube to see what it holds.
 *
 * Adds to `<cnn-visualizer>`: hover (mouse) or tap (touch, pen) a cube and it is highlighted with
 * the cubes it reads in the layer before (its receptive field), and `part="tooltip"` shows its
 * layer, position and value. The tooltip closes when the pointer leaves or the camera moves.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NetworkView, PickInfo } from '../render/network-view.js';

export type Inspected = PickInfo & { x: number; y: number };

export class InspectionController implements ReactiveController {
  picked: Inspected | null = null;
  private view?: NetworkView;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hasResult: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  setView(view: NetworkView | undefined): void {
    this.view = view;
    this.picked = null;
  }

  readonly onPointer = (e: PointerEvent) => {
    if (!this.view || !this.hasResult()) return;
    // a drag turns the camera: what was under the pointer is no longer there
    if (e.type === 'pointermove' && e.buttons !== 0) return this.close();
    const pick = this.view.pick(e.offsetX, e.offsetY);
    this.view.highlight(pick);
    this.picked = pick ? { ...pick, x: e.offsetX, y: e.offsetY } : null;
    this.host.requestUpdate();
  };

  readonly close = () => {
    if (!this.picked) return;
    this.picked = null;
    this.view?.highlight(null);
    this.host.requestUpdate();
  };
}
