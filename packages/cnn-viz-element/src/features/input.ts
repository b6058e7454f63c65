/**
 * Input: what the network is given, and classifying it.
 *
 * Adds to `<cnn-visualizer>`:
 * - methods `clear()` and `setInput(pixels)`;
 * - attribute/property `digit` (`0`–`9`): classify one of the shipped MNIST samples of that digit;
 * - events `cnn-input` `{ pixels, source }` whenever the input changes and `cnn-prediction` for
 *   every classification.
 * Strokes are coalesced to at most one inference per animation frame; the current input is kept
 * across a move, a removal and a change of backend or model, and classified again when the
 * element can.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Activations, InferenceBackend } from '../inference/activations.js';
import { INPUT_SIZE, preprocess, type Frame } from '../model/preprocess.js';
import { SAMPLE_DIGITS, samplePixels } from '../model/samples.js';
import { CnnDrawPad } from '../ui/draw-pad.js';
import { emit, type InputSource } from './events.js';

export interface InputHost extends ReactiveControllerHost, HTMLElement {
  digit?: string | null;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export interface InputCallbacks {
  /** The backend once the element can classify (undefined before). */
  inference: () => InferenceBackend | undefined;
  /** Resolves when the element can classify. */
  ready: () => Promise<void>;
  show: (acts: Activations, pixels: Uint8Array) => void;
  cleared: () => void;
  fail: (e: unknown) => void;
}

export class InputController implements ReactiveController {
  /** The current input (255 = ink), or null when nothing is drawn. */
  pixels: Uint8Array | null = null;
  /** Where `pixels` lie on the draw pad (for tracing numbers back onto the drawing). */
  frame: Frame | null = null;
  /** The last classification of `pixels` (null when nothing is drawn). */
  activations: Activations | null = null;
  private pending = 0;
  private busy = false;
  private dirty = false;
  private lastDigit?: string | null;

  constructor(
    private readonly host: InputHost,
    private readonly on: InputCallbacks,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.pending);
    this.pending = 0;
  }

  hostUpdated(): void {
    const d = this.host.digit;
    if (d === this.lastDigit) return;
    this.lastDigit = d;
    if (d === null || d === undefined || d === '') return;
    const sample = SAMPLE_DIGITS.find((s) => String(s.label) === String(d).trim());
    if (!sample) {
      this.on.fail(new RangeError(`digit must be 0–9, got ${JSON.stringify(d)}`));
      return;
    }
    void this.set(samplePixels(sample), 'sample').catch(() => undefined);
  }

  private get pad(): CnnDrawPad | null {
    return this.host.renderRoot.querySelector('cnn-draw-pad');
  }

  /** Takes a preprocessed input, shows it on the pad, and classifies it once the element can. */
  async set(pixels: Uint8Array, source: InputSource): Promise<Activations> {
    this.pixels = pixels;
    this.frame = CnnDrawPad.SHOWN_FRAME;
    void this.showOnPad(pixels);
    emit(this.host, 'cnn-input', { pixels, source });
    await this.on.ready();
    return this.classify(pixels);
  }

  /** Shows an input on the pad, once the pad has drawn itself (a `digit` set in HTML comes first). */
  private async showOnPad(pixels: Uint8Array) {
    await this.host.updateComplete;
    const pad = this.pad;
    if (!pad) return;
    await pad.updateComplete;
    if (this.pixels === pixels) pad.showPixels(pixels, { silent: true });
  }

  clear(): void {
    this.pad?.clear(true);
    this.toEmpty('clear');
  }

  /** The reader drew: coalesced to one inference per frame. */
  readonly onDraw = () => {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.fromPad();
    });
  };

  /** Classifies the current input again (new backend, model, weights or view); settles when shown. */
  refresh(): Promise<unknown> {
    return this.pixels ? this.classify(this.pixels).catch(() => undefined) : Promise.resolve();
  }

  private fromPad() {
    const pad = this.pad;
    if (!pad) return;
    const result = preprocess(pad.image(), { polarity: 'dark-on-light' });
    if (result.empty) {
      this.toEmpty('draw');
      return;
    }
    this.pixels = result.pixels;
    this.frame = result.frame;
    emit(this.host, 'cnn-input', { pixels: result.pixels, source: 'draw' });
    if (!this.on.inference()) return; // classified when the element is ready
    if (this.busy) {
      this.dirty = true;
      return;
    }
    void this.classify(result.pixels).catch(() => undefined);
  }

  private toEmpty(source: InputSource) {
    const had = this.pixels !== null;
    this.pixels = null;
    this.frame = null;
    this.activations = null;
    this.on.cleared();
    if (had || source === 'clear') emit(this.host, 'cnn-input', { pixels: null, source });
  }

  private async classify(pixels: Uint8Array): Promise<Activations> {
    const inference = this.on.inference();
    if (!inference) throw new Error('the visualizer is not ready');
    this.busy = true;
    try {
      const acts = await inference.infer(pixels);
      // a result for an input that was replaced or cleared meanwhile is not shown
      if (this.pixels === pixels) {
        this.activations = acts;
        this.on.show(acts, pixels);
      }
      return acts;
    } catch (e) {
      this.on.fail(e);
      throw e;
    } finally {
      this.busy = false;
      if (this.dirty) {
        this.dirty = false;
        this.onDraw();
      }
    }
  }
}

/** Checks and rounds an input given through `setInput()` (H×W values 0–255, 255 = ink). */
export function toInputBytes(pixels: ArrayLike<number>, size = INPUT_SIZE): Uint8Array {
  if (pixels.length !== size * size)
    throw new RangeError(`setInput expects ${size * size} pixels (${size}×${size}), got ${pixels.length}`);
  return Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v))));
}
