/**
 * Input: what the network is given, and classifying it.
 *
 * Adds to `<cnn-visualizer>`:
 * - methods `clear()` and `setInput(input)`: input bytes as the model reads them (C × H × W values,
 *   255 = ink; H × W for a grey model) or a picture of any size (`ImageData`, a canvas, an image, an
 *   `ImageBitmap`), resized to the model's H × W (see `model/fit.ts`);
 * - attribute/property `digit` (`0`–`9`): classify one of the shipped MNIST samples of that digit
 *   (resized, and drawn in every channel, for a model of another shape);
 * - events `cnn-input` `{ pixels, source }` whenever the input changes (`pixels`: C × H × W bytes,
 *   255 = ink) and `cnn-prediction` for every classification.
 * The draw pad's drawing is made into the model's input: MNIST-style for a 1×28×28 model, the whole
 * pad resized to H × W otherwise. Strokes are coalesced to at most one inference per animation frame;
 * the current input is kept across a move, a removal and a change of backend or model (made again
 * for a model of another shape), and classified again when the element can.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Activations, InferenceBackend } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import { fitDrawing, fitPicture, fitSample, inputBytes, inputToRgba, type RgbaImage } from '../model/fit.js';
import { inputShape } from '../model/input-shape.js';
import type { Frame } from '../model/preprocess.js';
import { SAMPLE_DIGITS, samplePixels } from '../model/samples.js';
import { CnnDrawPad } from '../ui/draw-pad.js';
import { isPicture, readPicture, type PictureSource } from '../ui/read-picture.js';
import { emit, type InputSource } from './events.js';

export interface InputHost extends ReactiveControllerHost, HTMLElement {
  digit?: string | null;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export interface InputCallbacks {
  /** The model once its description is known (undefined before). */
  model: () => ModelDescription | undefined;
  /** The backend once the element can classify (undefined before). */
  inference: () => InferenceBackend | undefined;
  /** Resolves when the element can classify. */
  ready: () => Promise<void>;
  show: (acts: Activations, pixels: Uint8Array) => void;
  cleared: () => void;
  fail: (e: unknown) => void;
}

/** Everything `setInput()` accepts. */
export type InputValue = ArrayLike<number> | PictureSource;

/** Where the current input comes from: made again from this for a model of another shape. */
type Origin =
  | { kind: 'pad' }
  | { kind: 'bytes'; values: ArrayLike<number>; source: InputSource }
  | { kind: 'sample'; pixels: Uint8Array }
  | { kind: 'picture'; picture: RgbaImage };

const PAD: Origin = { kind: 'pad' };

/** The part of a model that decides what its input bytes are. */
const inputKey = (m: ModelDescription) => `${m.input.shape.join('×')}/${m.input.ink ?? 'bright'}`;

export class InputController implements ReactiveController {
  /** The current input (C × H × W bytes, 255 = ink), or null when nothing is drawn. */
  pixels: Uint8Array | null = null;
  /** Where `pixels` lie on the draw pad (for tracing numbers back onto the drawing). */
  frame: Frame | null = null;
  /** The last classification of `pixels` (null when nothing is drawn). */
  activations: Activations | null = null;
  /** What `pixels` were made from, and for which model input (`inputKey`). */
  private origin: Origin | null = null;
  /** An input given before the model was known, waiting for it. */
  private waiting: Origin | null = null;
  private madeFor = '';
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

  /**
   * Takes an input (`sample`: a 28×28 MNIST digit, resized for other models; otherwise bytes as the
   * model reads them), shows it on the pad, and classifies it once the element can.
   */
  set(pixels: ArrayLike<number>, source: InputSource): Promise<Activations> {
    return this.take(
      source === 'sample'
        ? { kind: 'sample', pixels: Uint8Array.from(pixels) }
        : { kind: 'bytes', values: pixels, source },
    );
  }

  /** `setInput()`: input bytes, or a picture of any size. */
  async setInput(value: InputValue): Promise<Activations> {
    if (isPicture(value)) return this.take({ kind: 'picture', picture: await readPicture(value) });
    if (!value || typeof (value as ArrayLike<number>).length !== 'number')
      throw new TypeError(
        'setInput takes input bytes (a Uint8Array of C×H×W values, 255 = ink) or a picture (ImageData, canvas, image, ImageBitmap)',
      );
    return this.take({ kind: 'bytes', values: value as ArrayLike<number>, source: 'api' });
  }

  private async take(origin: Origin): Promise<Activations> {
    let model = this.on.model();
    if (!model) {
      // the model's shape decides what the input becomes: wait for it
      this.waiting = origin;
      await this.on.ready();
      model = this.on.model();
      if (!model) throw new Error('the visualizer is not ready');
      if (this.waiting !== origin) {
        // another input came meanwhile: this one is classified, not shown
        const pixels = this.make(origin, model);
        if (!pixels) throw new Error('nothing to classify');
        return this.classify(pixels);
      }
      this.waiting = null;
    }
    const pixels = this.make(origin, model); // throws (in words) before anything changes
    this.origin = origin;
    this.accept(pixels, model, origin);
    await this.on.ready();
    if (!pixels) throw new Error('nothing to classify');
    return this.classify(pixels);
  }

  /** The input bytes `origin` gives for `model` (null: the pad holds nothing worth classifying). */
  private make(origin: Origin, model: ModelDescription): Uint8Array | null {
    const shape = inputShape(model.input.shape);
    switch (origin.kind) {
      case 'bytes':
        return inputBytes(origin.values, shape);
      case 'sample':
        return fitSample(origin.pixels, shape);
      case 'picture':
        return fitPicture(origin.picture, shape, model.input.ink);
      case 'pad': {
        const pad = this.pad;
        if (!pad) return null;
        const r = fitDrawing(pad.image(), shape);
        this.frame = r.empty ? null : r.frame;
        return r.empty ? null : r.pixels;
      }
    }
  }

  /** Makes `pixels` the current input: shown on the pad (unless drawn there) and announced. */
  private accept(pixels: Uint8Array | null, model: ModelDescription, origin: Origin) {
    this.madeFor = inputKey(model);
    if (!pixels) {
      this.toEmpty('draw');
      return;
    }
    this.pixels = pixels;
    if (origin.kind !== 'pad') {
      const { width, height } = inputShape(model.input.shape);
      this.frame = CnnDrawPad.shownFrame(width, height);
      void this.showOnPad(pixels, model, origin.kind === 'picture');
    }
    const source =
      origin.kind === 'pad'
        ? 'draw'
        : origin.kind === 'bytes'
          ? origin.source
          : origin.kind === 'sample'
            ? 'sample'
            : 'api';
    emit(this.host, 'cnn-input', { pixels, source });
  }

  /** Shows an input on the pad, once the pad has drawn itself (a `digit` set in HTML comes first). */
  private async showOnPad(pixels: Uint8Array, model: ModelDescription, picture: boolean) {
    await this.host.updateComplete;
    const pad = this.pad;
    if (!pad) return;
    await pad.updateComplete;
    if (this.pixels !== pixels) return;
    const shape = inputShape(model.input.shape);
    const rgba = inputToRgba(pixels, shape, picture ? 'picture' : 'paper', model.input.ink);
    pad.showPicture(rgba, shape.width, shape.height, { silent: true, replace: picture });
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

  /**
   * Classifies the current input again (new backend, model or view); for a model whose input
   * differs from the one it was made for, makes it again from its origin first. Settles when the
   * result is shown (the training slider waits on it).
   */
  refresh(): Promise<unknown> {
    const model = this.on.model();
    const origin = this.origin;
    if (!model || !origin) return Promise.resolve();
    if (this.madeFor !== inputKey(model)) {
      let pixels: Uint8Array | null;
      try {
        pixels = this.make(origin, model);
      } catch (e) {
        this.toEmpty('clear'); // e.g. bytes of another size: nothing this model can read
        this.on.fail(e);
        return Promise.resolve();
      }
      this.accept(pixels, model, origin);
    }
    return this.pixels ? this.classify(this.pixels).catch(() => undefined) : Promise.resolve();
  }

  private fromPad() {
    this.origin = PAD;
    this.waiting = null;
    const model = this.on.model();
    if (!model) return; // made and classified when the model is known (refresh)
    const pixels = this.make(PAD, model);
    if (!pixels) {
      this.madeFor = inputKey(model);
      this.toEmpty('draw');
      return;
    }
    this.accept(pixels, model, PAD);
    if (!this.on.inference()) return; // classified when the element is ready
    if (this.busy) {
      this.dirty = true;
      return;
    }
    void this.classify(pixels).catch(() => undefined);
  }

  private toEmpty(source: InputSource) {
    const had = this.pixels !== null;
    this.pixels = null;
    this.frame = null;
    this.activations = null;
    if (source === 'clear') this.origin = this.waiting = null;
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
