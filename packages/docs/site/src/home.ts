/**
 * The home page: after each prediction the reader may say what they meant and share the drawing with
 * the gallery (the server predicts it again itself and answers with its verdict); a strip of other
 * readers' drawings, misclassified first, loads any of them into the visualizer without storing it
 * again. The address keeps the drawing and the tour's step (view-link.ts), "Copy link" copies it, the
 * reader chooses which of our two networks to see (network-choice.ts), and "Try your own model"
 * (own-model.ts) runs a reader's ONNX file in the page. Everything goes through
 * the element's public contract: attributes, `setInput()`, and its `cnn-*` events.
 */
import { html, render } from 'lit';
import type { CnnVisualizer } from 'cnn-visualizer';
import { embedAttributes, validEmbedParams } from 'cnn-visualizer/embed-options';
import { ApiError, drawingPixels, imageUrl, listDrawings, submitDrawing } from './api.js';
import { networkChoice } from './network-choice.js';
import { ownModel } from './own-model.js';
import { decodePixels } from './pixels-link.js';
import { thumbnail } from './thumbnail.js';
import { ViewLink } from './view-link.js';

const viz = document.querySelector('cnn-visualizer') as CnnVisualizer;
const buttons = document.querySelector<HTMLElement>('[data-share-buttons]')!;
const hint = document.querySelector<HTMLElement>('[data-share-hint]')!;
const verdictEl = document.querySelector<HTMLElement>('[data-share-verdict]')!;
const strip = document.querySelector<HTMLElement>('[data-strip]')!;
const copyLink = document.querySelector<HTMLButtonElement>('[data-copy-link]')!;
const linkStatus = document.querySelector<HTMLElement>('[data-link-status]')!;

interface ShareState {
  /** the current 28×28 input, and what the page's network said of it (null until it answers) */
  pixels: Uint8Array | null;
  prediction: number | null;
  /** the reader's own model is running: its answer, not our network's */
  ownModel: boolean;
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
  ownModel: false,
  fromGallery: null,
  shared: null,
  sending: false,
  verdict: null,
};

const same = (a: Uint8Array | null, b: Uint8Array | null) =>
  !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

function renderShare() {
  const shareable =
    state.pixels &&
    state.prediction !== null &&
    !same(state.pixels, state.fromGallery) &&
    !same(state.pixels, state.shared);
  const reader = state.ownModel ? 'Your model' : 'The network';
  hint.textContent = !state.pixels
    ? 'Draw a digit above (or pick a sample), then tell us what you meant.'
    : same(state.pixels, state.fromGallery)
      ? 'This drawing is from the gallery. Draw your own to share it.'
      : same(state.pixels, state.shared)
        ? 'Shared, thank you. Clear the pad and draw another one.'
        : state.prediction === null
          ? 'Reading your drawing…'
          : `${reader} reads ${state.prediction}. Which digit did you mean? Your drawing goes to the public gallery.`;
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

const link = new ViewLink();

viz.addEventListener('cnn-input', (e) => {
  const { pixels } = e.detail;
  if (!same(pixels, state.pixels)) {
    state.pixels = pixels;
    state.prediction = null;
    if (!same(pixels, state.shared)) state.verdict = null;
    renderShare();
  }
  if (!pixels) viz.removeAttribute('step'); // the next drawing starts the tour from the beginning
  link.update({
    pixels,
    galleryId: galleryId !== null && same(pixels, state.fromGallery) ? galleryId : null,
  });
});
viz.addEventListener('cnn-prediction', (e) => {
  const d = e.detail;
  if (!same(d.pixels, state.pixels)) return; // an answer for an input already replaced
  state.prediction = d.prediction;
  renderShare();
});
viz.addEventListener('cnn-step', (e) => link.update({ step: e.detail.id }));
viz.addEventListener('cnn-checkpoint', (e) => link.update({ checkpoint: e.detail.index }));

copyLink.addEventListener('click', async () => {
  await link.flush();
  const own =
    ownModelFeature.source?.kind === 'file'
      ? ' It does not include your model file, which stays on your computer.'
      : '';
  try {
    await navigator.clipboard.writeText(location.href);
    linkStatus.textContent = state.pixels
      ? `Link copied: it opens this drawing at this step of the tour.${own}`
      : `Link copied.${own}`;
  } catch {
    linkStatus.textContent = `Copy this link: ${location.href}`;
  }
});

let galleryId: number | null = null;

async function loadIntoVisualizer(id: number) {
  try {
    await customElements.whenDefined('cnn-visualizer');
    const pixels = await drawingPixels(id);
    state.fromGallery = pixels;
    galleryId = id;
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

const networks = networkChoice(
  {
    viz,
    radios: [...document.querySelectorAll<HTMLInputElement>('[data-network-choice] input[type=radio]')],
    status: document.querySelector<HTMLElement>('[data-network-status]')!,
    showsOurs: () => !ownModelFeature.source,
  },
  (network) => {
    ownModelFeature.backToOurs();
    const url = new URL(location.href);
    if (network.id === 'lenet5') url.searchParams.delete('network');
    else url.searchParams.set('network', network.id);
    history.replaceState(history.state, '', url);
  },
);

const ownModelFeature = ownModel(
  {
    viz,
    file: document.querySelector<HTMLInputElement>('[data-model-file]')!,
    dropZone: document.querySelector<HTMLElement>('[data-drop-zone]')!,
    status: document.querySelector<HTMLElement>('[data-model-status]')!,
    reset: document.querySelector<HTMLButtonElement>('[data-model-reset]')!,
  },
  (source) => {
    state.ownModel = source !== null;
    // the address names a hosted model, never a file's object URL
    const url = new URL(location.href);
    if (source?.kind === 'url') url.searchParams.set('model', source.url);
    else url.searchParams.delete('model');
    url.searchParams.delete('backend');
    history.replaceState(history.state, '', url);
    renderShare();
  },
  () => ({ name: networks.current.name, attributes: networks.attributes() }),
);

/** Opens what the address names: the tour step, a hosted model, a drawing (compressed pixels or a gallery id). */
async function openFromAddress() {
  const params = new URLSearchParams(location.search);
  const { model, ...options } = validEmbedParams(params);
  const attributes = embedAttributes({
    backend: options.backend,
    tour: options.tour,
    step: options.step,
    checkpoint: options.checkpoint,
  });
  for (const [name, value] of Object.entries(attributes)) viz.setAttribute(name, value);
  networks.choose(params.get('network'));
  if (model) ownModelFeature.openUrl(model);

  const pixelsText = params.get('pixels');
  const drawing = params.get('drawing');
  if (pixelsText !== null) {
    let pixels: Uint8Array;
    try {
      pixels = await decodePixels(pixelsText);
    } catch (e) {
      linkStatus.textContent = `This link's drawing could not be opened: ${(e as Error).message}.`;
      return;
    }
    await customElements.whenDefined('cnn-visualizer');
    // a model that fails to load says so in the element (and under "Try your own model")
    await viz.setInput(pixels).catch(() => undefined);
  } else if (drawing && /^\d{1,15}$/.test(drawing)) {
    // /?drawing=ID (links from the gallery page) opens that drawing
    await loadIntoVisualizer(Number(drawing));
  }
}

renderShare();
void loadStrip();
void openFromAddress();
