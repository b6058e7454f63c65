/**
 * Stage: the 3D view of the network and the WebGL context behind it.
 *
 * Adds to `<cnn-visualizer>`:
 * - attribute `theme` applied to the view whenever it changes;
 * - a WebGL context only while the element is near the viewport: far off screen (more than half a
 *   viewport away) the context is released and the view re-created, with the same activations,
 *   when the element comes back — a page can hold any number of elements and the browser's limit
 *   of live contexts (about 16) is never reached;
 * - a lost context (the GPU process restarted) is replaced by a new one on a fresh canvas, with the
 *   same activations, without a reload;
 * - the render loop runs only while the element can be seen.
 * Other features learn of each new view through `onView`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Activations } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import type { NetworkView } from '../render/network-view.js';

export interface StageHost extends ReactiveControllerHost, HTMLElement {
  theme: 'light' | 'dark';
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** How far outside the viewport an element keeps its context (CSS margin of the observer). */
const KEEP_MARGIN = '50% 0px';

export class StageController implements ReactiveController {
  view?: NetworkView;
  /**
   * Changes whenever a view is released: the template renders a new `<canvas>` for it (a canvas
   * whose context was lost on purpose cannot give a new one).
   */
  canvasKey = 0;
  /** The element is within KEEP_MARGIN of the viewport. */
  near = false;
  private model?: ModelDescription;
  /** The theme the view shows. */
  private theme?: 'light' | 'dark';
  private activations: Activations | null = null;
  private observer?: IntersectionObserver;
  private resizer?: ResizeObserver;
  private creating?: Promise<void>;
  private listeners: ((view: NetworkView | undefined) => void)[] = [];
  /** Resolves once the observer has said whether the element is near (its first report is async). */
  private observed!: Promise<void>;
  private markObserved!: () => void;
  private isObserved = true;
  private readonly reducedMotion =
    globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

  constructor(
    private readonly host: StageHost,
    private readonly onNear: (near: boolean) => void,
    private readonly onFailure: (e: unknown) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.isObserved) {
      this.isObserved = false;
      this.observed = new Promise((resolve) => (this.markObserved = resolve));
    }
    this.observer ??= new IntersectionObserver(
      (entries) => {
        this.setNear(entries[entries.length - 1].isIntersecting);
        this.isObserved = true;
        this.markObserved();
      },
      { rootMargin: KEEP_MARGIN },
    );
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer?.unobserve(this.host);
  }

  hostUpdated(): void {
    if (this.view && this.host.theme !== this.theme) {
      this.theme = this.host.theme;
      this.view.setTheme(this.theme);
    }
  }

  /** The "ctrl + scroll to zoom" hint is showing (the first plain wheel over the view). */
  zoomHint = false;
  private hinted = false;

  /** A wheel over the view: the page scrolls; the first time, a hint says how to zoom. */
  readonly onWheel = (e: WheelEvent) => {
    if (e.ctrlKey || e.metaKey || this.hinted) return;
    this.hinted = true;
    this.zoomHint = true;
    this.host.requestUpdate();
    setTimeout(() => {
      this.zoomHint = false;
      this.host.requestUpdate();
    }, 2500);
  };

  /** Calls `fn` with every new view (and with undefined when the view is released). */
  onView(fn: (view: NetworkView | undefined) => void): void {
    this.listeners.push(fn);
  }

  /** The model to show; the view is created now if the element is near the viewport. */
  async show(model: ModelDescription): Promise<void> {
    this.release();
    this.model = model;
    this.activations = null;
    await this.observed;
    if (this.near && model === this.model) await this.create();
  }

  setActivations(acts: Activations | null): void {
    this.activations = acts;
    this.view?.setActivations(acts);
  }

  /** Forgets the model and releases the context (the element was removed or its model changes). */
  reset(): void {
    this.release();
    this.model = undefined;
    this.activations = null;
  }

  private setNear(near: boolean) {
    if (near === this.near) return;
    this.near = near;
    if (near) void this.create();
    else this.release();
    this.onNear(near);
  }

  private create(): Promise<void> {
    this.creating ??= this.doCreate().finally(() => (this.creating = undefined));
    return this.creating;
  }

  private async doCreate() {
    const model = this.model;
    if (!model || this.view) return;
    await this.host.updateComplete;
    const canvas = this.host.renderRoot.querySelector<HTMLCanvasElement>('canvas.stage');
    if (!canvas || !this.near || model !== this.model) return;
    try {
      const { NetworkView } = await import('../render/network-view.js');
      if (!this.near || model !== this.model || this.view) return;
      this.theme = this.host.theme;
      const view = new NetworkView(canvas, model, { theme: this.theme, reducedMotion: this.reducedMotion });
      this.view = view;
      if (this.activations) view.setActivations(this.activations);
      this.resizer = new ResizeObserver(() => view.resize());
      this.resizer.observe(canvas);
      // the browser took the context away (GPU process restart, too many contexts): draw again on a
      // fresh canvas with a new context, with the same activations — no reload needed
      canvas.addEventListener(
        'webglcontextlost',
        () => {
          if (this.view !== view) return;
          this.release();
          void this.create();
        },
        { once: true },
      );
      view.start();
      for (const fn of this.listeners) fn(view);
    } catch (e) {
      this.onFailure(e);
    }
  }

  private release() {
    if (!this.view) return;
    this.resizer?.disconnect();
    this.resizer = undefined;
    for (const fn of this.listeners) fn(undefined);
    this.view.dispose(); // loses the WebGL context at once (loseContextOnDispose)
    this.view = undefined;
    this.canvasKey++;
    this.host.requestUpdate();
  }
}
