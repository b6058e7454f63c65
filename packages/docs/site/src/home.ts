/**
 * The home page: after each prediction the reader may say what they meant and share the drawing with
 * the gallery (the server predicts it again itself and answers with its verdict); a strip of other
 * readers' drawings, misclassified first, loads any of them into the visualizer without storing it again.
 */
import { html, render } from 'lit';
import type { CnnVisualizer, PredictionDetail } from 'cnn-visualizer';
import { ApiError, drawingPixels, imageUrl, listDrawings, submitDrawing } from './api.js';
import { thumbnail } from './thumbnail.js';

const viz = document.querySelector('cnn-visualizer') as CnnVisualizer;
const buttons = document.querySelector<HTMLElement>('[data-share-buttons]')!;
const hint = document.querySelector<HTMLElement>('[data-share-hint]')!;
const verdictEl = document.querySelector<HTMLElement>('[data-share-verdict]')!;
const strip = document.querySelector<HTMLElement>('[data-strip]')!;

interface ShareState {
  /** the 28×28 input last classified, and what the page's network said */
  pixels: Uint8Array | null;
  prediction: number | null;
  /** pixels loaded from the gallery: not offered for sharing again */
  fromGallery: Uint8Array | null;
  /** pixels already shared */
  shared: Uint8Array | null;
  sending: boolean;
  verdict: { ok: boolean; text: string } | null;
}

const state: ShareState = {
  pixels: null,
  prediction: null,
  fromGallery: null,
  shared: null,
  sending: false,
  verdict: null,
};

const same = (a: Uint8Array | null, b: Uint8Array | null) =>
  !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

function renderShare() {
  const shareable =
    state.pixels && !same(state.pixels, state.fromGallery) && !same(state.pixels, state.shared);
  hint.textContent = !state.pixels
    ? 'Draw a digit above (or pick a sample), then tell us what you meant.'
    : same(state.pixels, state.fromGallery)
      ? 'This drawing is from the gallery. Draw your own to share it.'
      : same(state.pixels, state.shared)
        ? 'Shared, thank you. Clear the pad and draw another one.'
        : `The network reads ${state.prediction}. Which digit did you mean? Your drawing goes to the public gallery.`;
  render(
    html`${Array.from(
      { length: 10 },
      (_, d) =>
        html`<button
          type="button"
          class="digit"
          ?disabled=${!shareable || state.sending}
          aria-label=${`I drew a ${d}: share it`}
          @click=${() => void share(d)}
        >
          ${d}
        </button>`,
    )}`,
    buttons,
  );
  verdictEl.className = `verdict ${state.verdict ? (state.verdict.ok ? 'ok' : 'bad') : ''}`;
  verdictEl.textContent = state.verdict?.text ?? '';
}

async function share(label: number) {
  const pixels = state.pixels;
  if (!pixels) return;
  state.sending = true;
  state.verdict = { ok: true, text: 'Sending…' };
  renderShare();
  try {
    const v = await submitDrawing(pixels, label);
    state.shared = pixels;
    const pct = `${Math.round(v.confidence * 100)}%`;
    state.verdict = v.misclassified
      ? {
          ok: false,
          text: `The server read your ${label} as a ${v.prediction} (${pct} sure). It's in the gallery among the ones the network got wrong.`,
        }
      : { ok: true, text: `The server agrees: a ${v.prediction} (${pct} sure). It's in the gallery now.` };
    void loadStrip();
  } catch (e) {
    const err = e as ApiError;
    state.verdict = {
      ok: false,
      text:
        err.status === 429
          ? `Slow down a little: ${err.message}.`
          : err.status === 503
            ? 'The gallery is unavailable right now (the network still works). Try again in a minute.'
            : `Could not share the drawing: ${err.message}`,
    };
  } finally {
    state.sending = false;
    renderShare();
  }
}

viz.addEventListener('cnn-prediction', (e) => {
  const d = (e as CustomEvent<PredictionDetail>).detail;
  const changed = !same(d.pixels, state.pixels);
  state.pixels = d.pixels;
  state.prediction = d.prediction;
  if (changed && !same(d.pixels, state.shared)) state.verdict = null;
  renderShare();
});
viz.addEventListener('cnn-draw-change', () => {
  // the pad was cleared: nothing to share
  if (viz.shadowRoot?.querySelector<{ isEmpty: boolean } & Element>('cnn-draw-pad')?.isEmpty) {
    state.pixels = null;
    state.verdict = null;
    renderShare();
  }
});

async function loadIntoVisualizer(id: number) {
  try {
    await customElements.whenDefined('cnn-visualizer');
    const pixels = await drawingPixels(id);
    state.fromGallery = pixels;
    await viz.setInput(pixels);
    viz.scrollIntoView({ behavior: 'smooth', block: 'start' });
  } catch (e) {
    state.verdict = { ok: false, text: `Could not load that drawing: ${(e as Error).message}` };
    renderShare();
  }
}

async function loadStrip() {
  try {
    const [wrong, recent] = await Promise.all([
      listDrawings({ misclassified: true, limit: 8 }),
      listDrawings({ limit: 16 }),
    ]);
    const seen = new Set<number>();
    const items = [...wrong.items, ...recent.items]
      .filter((d) => !seen.has(d.id) && seen.add(d.id))
      .slice(0, 16);
    render(
      items.length
        ? items.map(
            (d) =>
              html`<li>
                ${thumbnail(d, imageUrl(d, 84), () => void loadIntoVisualizer(d.id), 'Load into the visualizer')}
              </li>`,
          )
        : html`<li class="empty">No drawings yet: be the first to share one.</li>`,
      strip,
    );
  } catch (e) {
    render(html`<li class="empty">The gallery is unavailable: ${(e as Error).message}</li>`, strip);
  }
}

// A hint when the drop-in bundle is missing (the site was served before `npm run build`).
setTimeout(() => {
  if (!customElements.get('cnn-visualizer')) document.querySelector<HTMLElement>('.missing')!.hidden = false;
}, 4000);

renderShare();
void loadStrip();
// /?drawing=ID (links from the gallery page) opens that drawing
const linked = new URLSearchParams(location.search).get('drawing');
if (linked && /^\d{1,15}$/.test(linked)) void loadIntoVisualizer(Number(linked));
