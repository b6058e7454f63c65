/**
 * The home page's address follows what the reader sees, so a link shows someone else the same thing:
 * `?pixels=<the drawing, see pixels-link.ts>` (or `?drawing=<id>` for a gallery drawing) and
 * `?step=<tour step id>` and `?checkpoint=<the moment of training chosen on the slider>`, kept with
 * `history.replaceState` (one history entry, not one per stroke).
 * Other parameters (`model`, `backend`, `tour`) are left as they are.
 */
import { encodePixels } from './pixels-link.js';

export interface ViewState {
  /** The current input, null when the pad is empty. */
  pixels: Uint8Array | null;
  /** The gallery drawing the input is, if it is one unchanged. */
  galleryId: number | null;
  /** The tour step on screen. */
  step: string | null;
  /** The moment of training the reader chose (null: never moved the slider). */
  checkpoint: number | null;
}

/** How long the address waits for the drawing to settle (strokes arrive every frame). */
const SETTLE_MS = 250;

const changed = (a: ViewState, b: ViewState) =>
  a.pixels !== b.pixels || a.galleryId !== b.galleryId || a.step !== b.step || a.checkpoint !== b.checkpoint;

export class ViewLink {
  private state: ViewState = { pixels: null, galleryId: null, step: null, checkpoint: null };
  private timer?: ReturnType<typeof setTimeout>;
  private writing: Promise<void> = Promise.resolve();

  update(change: Partial<ViewState>): void {
    this.state = { ...this.state, ...change };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), SETTLE_MS);
  }

  /** Writes the address now; resolves once it is written (e.g. before copying it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    const state = this.state;
    this.writing = this.writing.then(() => this.write(state)).catch(() => undefined);
    return this.writing;
  }

  private async write(state: ViewState) {
    const { pixels, galleryId, step, checkpoint } = state;
    const encoded = pixels && galleryId === null ? await encodePixels(pixels) : null;
    if (changed(this.state, state)) return; // a newer write follows
    const url = new URL(location.href);
    const p = url.searchParams;
    p.delete('pixels');
    p.delete('drawing');
    p.delete('step');
    if (pixels && galleryId !== null) p.set('drawing', String(galleryId));
    else if (encoded) p.set('pixels', encoded);
    if (pixels && step) p.set('step', step);
    if (checkpoint !== null) p.set('checkpoint', String(checkpoint));
    const next = `${url.pathname}${p.size ? `?${p}` : ''}${url.hash}`;
    if (next !== `${location.pathname}${location.search}${location.hash}`)
      history.replaceState(history.state, '', next);
  }
}
