/**
 * Tour: the narrated walk through the network, in the model's words or the teacher's.
 *
 * Adds to `<cnn-visualizer>`:
 * - attribute/property `tour`: `auto` (play after the first drawing), `manual` (controls, wait for
 *   Play) or `off` (no narration);
 * - attribute/property `step`: the id of the step to open (`overview`, a layer's name such as
 *   `conv1`, `verdict`); changing it moves the tour there;
 * - light-DOM children `<cnn-step for="conv1" title="…">text</cnn-step>` replace a step's narration
 *   (and title), read again whenever they change — works from Markdown, MDX and page editors;
 * - event `cnn-step` `{ index, id, title }` whenever the tour moves to another step.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModelDescription } from '../model/description.js';
import type { NetworkView } from '../render/network-view.js';
import type { TourStep } from '../tour/steps.js';
import type { TourPlayer } from '../tour/tour-player.js';
import type { NarrationState } from '../ui/narration-panel.js';
import { emit } from './events.js';

export type TourMode = 'auto' | 'manual' | 'off';

export interface TourHost extends ReactiveControllerHost, HTMLElement {
  tour: TourMode;
  step?: string | null;
}

export type TourCommand = 'play' | 'pause' | 'next' | 'prev' | 'skip' | 'speed';

export class TourController implements ReactiveController {
  narration: NarrationState | null = null;
  /** Told the current step's id and whether the tour plays, whenever either may have changed. */
  onStepState?: (id: string, playing: boolean) => void;
  private model?: ModelDescription;
  private view?: NetworkView;
  private player?: TourPlayer;
  private steps: TourStep[] = [];
  /** Where the tour stands, kept when the view is re-created. */
  private index = -1;
  private hasResult = false;
  private lastMode?: TourMode;
  private lastStep?: string | null;
  private texts?: MutationObserver;
  private building?: Promise<void>;

  constructor(private readonly host: TourHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.texts = new MutationObserver(() => this.applyTexts());
    this.texts.observe(this.host, { childList: true, subtree: true, characterData: true, attributes: true });
  }

  hostDisconnected(): void {
    this.texts?.disconnect();
  }

  hostUpdated(): void {
    const { tour, step } = this.host;
    if (tour !== this.lastMode) {
      this.lastMode = tour;
      void this.rebuild();
    } else if (step !== this.lastStep) {
      this.lastStep = step;
      if (step && this.player && this.hasResult) this.goToId(step);
    }
  }

  setModel(model: ModelDescription | undefined): void {
    this.model = model;
    this.index = -1;
    this.hasResult = false;
    void this.rebuild();
  }

  setView(view: NetworkView | undefined): void {
    this.view = view;
    void this.rebuild();
  }

  /** The layer the tour is showing (undefined at the overview or with the tour off). */
  get focusLayer(): string | undefined {
    return this.narration && this.player ? this.steps[this.narration.index]?.layer : undefined;
  }

  /** A classification was shown: the first one after a clear starts the tour. */
  onResult(): void {
    if (this.hasResult) return;
    this.hasResult = true;
    this.begin();
  }

  /** The input was cleared: back to the overview. */
  onCleared(): void {
    this.hasResult = false;
    this.index = -1;
    this.player?.reset();
  }

  command(command: TourCommand, value?: number): void {
    const p = this.player;
    if (!p) return;
    if (command === 'play') p.play();
    else if (command === 'pause') p.pause();
    else if (command === 'next') p.next();
    else if (command === 'prev') p.prev();
    else if (command === 'skip') p.skip();
    else if (command === 'speed' && value) p.setSpeed(value);
  }

  private begin() {
    const p = this.player;
    if (!p) return;
    const id = this.host.step;
    if (id && this.steps.some((s) => s.id === id)) this.goToId(id);
    else if (this.host.tour === 'auto') p.play(0);
    else p.goTo(0);
  }

  private goToId(id: string) {
    const i = this.steps.findIndex((s) => s.id === id);
    if (i >= 0) this.player?.goTo(i);
  }

  private rebuild(): Promise<void> {
    // one build at a time; a change during a build is picked up by a second pass
    const run = (this.building ?? Promise.resolve()).then(() => this.build());
    this.building = run.finally(() => {
      if (this.building === run) this.building = undefined;
    });
    return run;
  }

  private async build() {
    this.player?.dispose();
    this.player = undefined;
    const { model, view } = this;
    if (!model || !view || this.host.tour === 'off') {
      this.narration = null;
      this.host.requestUpdate();
      return;
    }
    const [{ buildTour }, { TourPlayer }] = await Promise.all([
      import('../tour/steps.js'),
      import('../tour/tour-player.js'),
    ]);
    if (model !== this.model || view !== this.view || this.player) return;
    this.steps = buildTour(model);
    this.applyTexts(false);
    const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    const player = new TourPlayer(view, this.steps, { reducedMotion });
    this.player = player;
    player.onChange((s) => {
      this.narration = {
        index: s.index,
        count: s.count,
        playing: s.playing,
        speed: s.speed,
        title: s.step.title,
        text: s.step.text,
      };
      if (s.index !== this.index && (this.hasResult || s.index > 0)) {
        this.index = s.index;
        emit(this.host, 'cnn-step', { index: s.index, id: s.step.id, title: s.step.title });
      }
      this.onStepState?.(s.step.id, s.playing);
      this.host.requestUpdate();
    });
    // a re-created view (context restored, element back on screen): resume where the tour was
    if (this.hasResult) {
      if (this.index > 0) player.goTo(this.index);
      else this.begin();
    }
  }

  /** Replaces steps' words with the teacher's `<cnn-step for="…">` children. */
  private applyTexts(refresh = true) {
    if (!this.steps.length) return;
    const custom = new Map<string, { title?: string; text: string }>();
    for (const el of this.host.querySelectorAll(':scope > cnn-step[for]')) {
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
      custom.set(el.getAttribute('for')!, { title: el.getAttribute('title') ?? undefined, text });
    }
    for (const step of this.steps) {
      step.original ??= { title: step.title, text: step.text };
      const c = custom.get(step.id);
      step.title = c?.title || step.original.title;
      step.text = c?.text || step.original.text;
    }
    if (refresh && this.narration && this.player) {
      const s = this.steps[this.narration.index];
      this.narration = { ...this.narration, title: s.title, text: s.text };
      this.host.requestUpdate();
    }
  }
}
