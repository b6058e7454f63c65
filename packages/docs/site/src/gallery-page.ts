/**
 * /gallery: drawings newest first with filters (digit meant, misclassified only) kept in the URL,
 * cursor pagination ("Show more"), a report button per drawing, and the confusion heat map.
 */
import { html, render } from 'lit';
import { imageUrl, listDrawings, reportDrawing, stats, type Drawing } from './api.js';
import { confusionHeatmap } from './confusion-heatmap.js';

const form = document.querySelector<HTMLFormElement>('[data-filters]')!;
const grid = document.querySelector<HTMLElement>('[data-grid]')!;
const more = document.querySelector<HTMLButtonElement>('[data-more]')!;
const status = document.querySelector<HTMLElement>('[data-grid-status]')!;
const summary = document.querySelector<HTMLElement>('[data-stats-summary]')!;
const heatmap = document.querySelector<HTMLElement>('[data-heatmap]')!;

const PAGE = 24;
let items: Drawing[] = [];
let cursor: string | null = null;
let generation = 0;
const reported = new Set<number>();

function filters() {
  const p = new URLSearchParams(location.search);
  const label = p.get('label');
  return {
    label: label !== null && /^\d$/.test(label) ? Number(label) : null,
    misclassified: p.get('misclassified') === 'true',
  };
}

function syncForm() {
  const f = filters();
  (form.elements.namedItem('label') as HTMLSelectElement).value = f.label === null ? '' : String(f.label);
  (form.elements.namedItem('misclassified') as HTMLInputElement).checked = f.misclassified;
}

async function report(d: Drawing) {
  try {
    await reportDrawing(d.id);
    reported.add(d.id);
  } catch (e) {
    status.textContent = `Could not report drawing ${d.id}: ${(e as Error).message}`;
  }
  draw();
}

function card(d: Drawing) {
  const verdict = d.misclassified ? `read as ${d.prediction}` : 'read correctly';
  return html`<li class="card ${d.misclassified ? 'wrong' : 'right'}">
    <a href=${`/?drawing=${d.id}`} title="Open in the visualizer">
      <img
        src=${imageUrl(d, 112)}
        width="112"
        height="112"
        loading="lazy"
        alt=${`A hand-drawn ${d.label}, ${verdict}`}
      />
    </a>
    <span class="caption">
      meant <b>${d.label}</b> ·
      ${d.misclassified ? html`read <b class="bad">${d.prediction}</b>` : html`<span class="ok">✓</span>`} ·
      ${Math.round(d.confidence * 100)}%
    </span>
    <time datetime=${d.createdAt}>${new Date(d.createdAt).toLocaleDateString()}</time>
    <button
      type="button"
      class="report"
      ?disabled=${reported.has(d.id)}
      @click=${() => void report(d)}
      aria-label=${`Report drawing ${d.id} as inappropriate`}
    >
      ${reported.has(d.id) ? 'Reported' : 'Report'}
    </button>
  </li>`;
}

function draw() {
  render(items.map(card), grid);
  more.hidden = !cursor;
}

async function load(reset: boolean) {
  const g = reset ? ++generation : generation;
  if (reset) {
    items = [];
    cursor = null;
  }
  status.textContent = 'Loading…';
  try {
    const page = await listDrawings({ ...filters(), limit: PAGE, cursor });
    if (g !== generation) return; // the filters changed meanwhile
    items = items.concat(page.items);
    cursor = page.nextCursor;
    status.textContent = items.length ? '' : 'No drawings match these filters yet.';
    draw();
  } catch (e) {
    if (g === generation) status.textContent = `The gallery is unavailable: ${(e as Error).message}`;
  }
}

async function loadStats() {
  try {
    const s = await stats();
    summary.textContent = s.total
      ? `${s.total.toLocaleString()} drawings shared; the network read ${((s.accuracy ?? 0) * 100).toFixed(1)}% of them as the digit meant.`
      : 'No drawings shared yet.';
    if (s.total) render(confusionHeatmap(s), heatmap);
  } catch (e) {
    summary.textContent = `Statistics are unavailable: ${(e as Error).message}`;
  }
}

form.addEventListener('change', () => {
  const data = new FormData(form);
  const p = new URLSearchParams();
  if (data.get('label')) p.set('label', String(data.get('label')));
  if (data.get('misclassified')) p.set('misclassified', 'true');
  history.replaceState(null, '', p.size ? `?${p}` : location.pathname);
  void load(true);
});
form.addEventListener('submit', (e) => e.preventDefault());
more.addEventListener('click', () => void load(false));

syncForm();
void load(true);
void loadStats();
