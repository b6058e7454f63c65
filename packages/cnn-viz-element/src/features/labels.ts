/**
 * Labels: the HTML names over the layers and the classes beside the output, moved with the camera.
 *
 * Adds to `<cnn-visualizer>`: readable layer and class labels that never overlap — where two would
 * (small layers far from the camera), the later layer's label wins and the other waits for room.
 * HTML over the canvas costs no bundle bytes and stays crisp at any zoom.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NetworkView, ScreenLabel } from '../render/network-view.js';

export interface LabelsHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export class LabelsController implements ReactiveController {
  /** Label widths, measured once per text (reading layout every frame would force reflows). */
  private widths = new WeakMap<HTMLElement, { text: string; width: number }>();
  /** Screen intervals of the labels placed this frame, reused (no allocation per frame). */
  private placed = new Float64Array(0);

  constructor(private readonly host: LabelsHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Follows a new view's frames. */
  setView(view: NetworkView | undefined): void {
    const layer = this.container();
    if (layer) layer.replaceChildren();
    view?.onFrame((labels) => this.place(labels));
  }

  private container() {
    return this.host.renderRoot.querySelector<HTMLElement>('.labels');
  }

  private place(labels: readonly ScreenLabel[]) {
    const layer = this.container();
    if (!layer) return;
    while (layer.children.length < labels.length) layer.appendChild(document.createElement('span'));
    if (this.placed.length < 3 * labels.length) this.placed = new Float64Array(3 * labels.length);
    let n = 0;
    for (let i = labels.length - 1; i >= 0; i--) {
      const l = labels[i];
      const el = layer.children[i] as HTMLElement;
      let known = this.widths.get(el);
      if (!known || known.text !== l.text) {
        el.textContent = l.text;
        known = { text: l.text, width: el.offsetWidth };
        this.widths.set(el, known);
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
}
