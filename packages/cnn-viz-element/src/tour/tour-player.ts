/**
 * Plays the tour on a `NetworkView`: moves the camera, reveals layers as they are computed, sweeps
 * windows, raises the softmax bars. Runs inside the view's frame loop and allocates nothing per frame.
 * New activations during the tour only recolour the cubes; the tour goes on where it is.
 */
import type { NetworkView } from '../render/network-view.js';
import type { TourStep } from './steps.js';

export interface TourState {
  index: number;
  count: number;
  playing: boolean;
  speed: number;
  step: TourStep;
}

export class TourPlayer {
  private index = 0;
  private playing = false;
  private speed = 1;
  private elapsed = 0;
  private last = 0;
  private listeners: ((s: TourState) => void)[] = [];
  private readonly layerOf: number[];
  private readonly removeHook: () => void;
  /** Before the first play (and after skip) every layer is shown in full. */
  private active = false;

  constructor(
    private readonly view: NetworkView,
    readonly steps: readonly TourStep[],
    private readonly options: { reducedMotion: boolean } = { reducedMotion: false },
  ) {
    this.layerOf = steps.map((s) => (s.layer ? view.layerIndex(s.layer) : -1));
    this.removeHook = view.onBeforeFrame(this.frame);
  }

  get state(): TourState {
    return {
      index: this.index,
      count: this.steps.length,
      playing: this.playing,
      speed: this.speed,
      step: this.steps[this.index],
    };
  }

  onChange(fn: (s: TourState) => void): void {
    this.listeners.push(fn);
    fn(this.state);
  }

  /** Plays from the current step (or from `from`); a finished tour restarts. */
  play(from?: number): void {
    if (from !== undefined) this.enter(from);
    else if (!this.active || (this.index === this.steps.length - 1 && this.elapsed >= this.duration()))
      this.enter(0);
    if (this.options.reducedMotion) {
      // no motion: show where the step ends, and let the reader step through
      this.elapsed = this.duration();
      this.apply(1);
      this.playing = false;
    } else {
      this.playing = true;
      this.last = performance.now();
    }
    this.emit();
  }

  pause(): void {
    this.playing = false;
    this.emit();
  }

  next(): void {
    if (this.index < this.steps.length - 1) this.enterAndShow(this.index + 1);
  }

  prev(): void {
    if (this.index > 0) this.enterAndShow(this.index - 1);
  }

  goTo(i: number): void {
    this.enterAndShow(Math.max(0, Math.min(this.steps.length - 1, i)));
  }

  /** Jumps to the result: every layer shown, the winner highlighted (the verdict step, else the last). */
  skip(): void {
    const verdict = this.steps.findIndex((s) => s.id === 'verdict');
    this.enter(verdict >= 0 ? verdict : this.steps.length - 1);
    this.elapsed = this.duration();
    this.apply(1);
    this.playing = false;
    this.emit();
  }

  setSpeed(speed: number): void {
    this.speed = Math.max(0.1, Math.min(8, speed));
    this.emit();
  }

  /** Back to the start, not playing, everything shown (e.g. when the drawing is cleared). */
  reset(): void {
    this.playing = false;
    this.active = false;
    this.index = 0;
    this.elapsed = 0;
    for (let i = 0; i < this.view.layout.layers.length; i++) {
      this.view.reveal(i, Infinity);
      this.view.setRise(i, 1);
    }
    this.view.highlightCube(-1, -1);
    this.view.focus({ layers: [] }, 0);
    this.emit();
  }

  dispose(): void {
    this.removeHook();
    this.listeners = [];
  }

  private enterAndShow(i: number) {
    const wasPlaying = this.playing;
    this.enter(i);
    if (!wasPlaying || this.options.reducedMotion) {
      this.elapsed = this.duration();
      this.apply(1);
    } else {
      this.last = performance.now();
    }
    this.emit();
  }

  /** Sets every layer to what it looks like when step `i` begins, and frames the camera. */
  private enter(i: number) {
    this.active = true;
    this.index = i;
    this.elapsed = 0;
    const step = this.steps[i];
    const current = this.layerOf[i];
    const layers = this.view.layout.layers;
    // layers computed before this step are complete; later ones are still ghosts
    const doneUpTo = step.effect === 'overview' ? -1 : step.effect === 'verdict' ? layers.length : current;
    for (let l = 0; l < layers.length; l++) {
      this.view.reveal(l, l < doneUpTo ? Infinity : 0);
      this.view.setRise(l, 1);
    }
    this.view.highlightCube(-1, -1);
    this.view.focus(
      { layers: step.frame, zoom: step.frame.length ? 1 : 1.05 },
      this.options.reducedMotion ? 0 : 1100,
    );
  }

  private duration(): number {
    return this.steps[this.index].durationMs;
  }

  private frame = (now: number) => {
    if (!this.playing) return;
    const dt = Math.min(100, now - this.last);
    this.last = now;
    this.elapsed += dt * this.speed;
    const p = Math.min(1, this.elapsed / this.duration());
    this.apply(p);
    if (p >= 1) {
      if (this.index < this.steps.length - 1) {
        this.enter(this.index + 1);
      } else {
        this.playing = false;
      }
      this.emit();
    }
  };

  /** Draws step progress `p` (0–1); the animation eases in the first 80% and holds the rest. */
  private apply(p: number) {
    const step = this.steps[this.index];
    const layer = this.layerOf[this.index];
    const q = Math.min(1, p / 0.8);
    const view = this.view;
    switch (step.effect) {
      case 'overview':
        break;
      case 'fill':
        view.reveal(layer, q >= 1 ? Infinity : q * view.layout.layers[layer].count);
        if (q < 1 && layer > 0) view.highlightCube(layer, Math.floor(q * view.layout.layers[layer].count));
        else view.highlightCube(-1, -1);
        break;
      case 'sweep': {
        const l = view.layout.layers[layer];
        const plane = l.height * l.width;
        const pos = Math.floor(q * plane);
        view.revealPositions(layer, q >= 1 ? plane : pos);
        if (q < 1) view.highlightCube(layer, Math.min(plane - 1, pos));
        else view.highlightCube(-1, -1);
        break;
      }
      case 'fan-in': {
        const count = view.layout.layers[layer].count;
        const unit = Math.floor(q * count);
        view.reveal(layer, q >= 1 ? Infinity : unit);
        if (q < 1) view.highlightCube(layer, Math.min(count - 1, unit));
        else view.highlightCube(-1, -1);
        break;
      }
      case 'rise':
        view.reveal(layer, Infinity);
        view.setRise(layer, 1 - Math.pow(1 - q, 3));
        break;
      case 'verdict': {
        const winner = view.winner();
        if (winner >= 0) view.highlightCube(layer, winner);
        break;
      }
    }
  }

  private emit() {
    const s = this.state;
    for (const fn of this.listeners) fn(s);
  }
}
