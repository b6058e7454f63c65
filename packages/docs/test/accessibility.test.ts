// Accessibility checked by a library: axe-core runs in Chromium on /, /gallery, /embed and the drop-in
// on a plain page from another origin, with the element loaded and a digit classified (so the
// prediction, the tour's narration and its controls are on screen). axe looks inside open shadow
// roots, so the element's own parts are checked too. No serious or critical violation may remain;
// the site's own nodes must have none of any impact. The element's lesser findings are printed as
// diagnostics (the element's authors fix those).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { drawDigit, launch, saveScreenshot, shownPrediction, watchErrors } from './helpers/browser.ts';
import { serveOtherOrigin } from './helpers/other-origin.ts';
import { startServer, type RunningServer } from './helpers/server.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server: RunningServer;
let browser: Browser;

before(async () => {
  // one after the other: on a busy machine the server starts much faster without Chromium starting beside it
  server = await startServer();
  browser = await launch();
  // one drawing in the gallery, so /gallery shows a card, the heat map and its filters
  const pixels = Array.from({ length: 784 }, (_, i) =>
    i % 28 > 10 && i % 28 < 16 && i > 150 && i < 650 ? 255 : 0,
  );
  const r = await fetch(`${server.url}/api/gallery`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pixels, label: 1 }),
  });
  assert.equal(r.status, 201);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string; html: string }[];
}

/** axe's violations in this page (or frame), open shadow roots included. */
async function axe(page: Page): Promise<Finding[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const run = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Finding[] }> } }
    ).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary, html: n.html })),
    }));
  });
}

const describeFindings = (list: Finding[]) =>
  list
    .map(
      (v) =>
        `${v.impact} ${v.id} (${v.help}):\n` +
        v.nodes
          .map((n) => `  ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n    ${n.failureSummary}`)
          .join('\n'),
    )
    .join('\n');

/**
 * No serious or critical finding anywhere; with `pageToo`, none of any impact about the page's own
 * nodes either (the element's lesser findings are listed as diagnostics, for the element to fix).
 */
function assertClean(findings: Finding[], where: string, t: TestContext, { pageToo = false } = {}) {
  if (findings.length) t.diagnostic(`${where}: every finding\n${describeFindings(findings)}`);
  const serious = findings.filter((f) => SERIOUS.includes(f.impact ?? ''));
  assert.equal(serious.length, 0, `${where}: serious/critical violations:\n${describeFindings(serious)}`);
  if (pageToo) {
    const page = findings
      .map((f) => ({ ...f, nodes: f.nodes.filter((n) => !Array.isArray(n.target[0])) }))
      .filter((f) => f.nodes.length);
    assert.equal(page.length, 0, `${where}: violations in the page:\n${describeFindings(page)}`);
  }
}

/** The machine running the suite may be busy: loading the model and runtime can take a while. */
const READY_MS = 120_000;
const SERIOUS = ['serious', 'critical'];

// axe is injected as an inline script, which the server's CSP forbids (rightly): bypass it in these tests
async function open(path: string, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, bypassCSP: true });
  const errors = watchErrors(page);
  await page.goto(server.url + path);
  return { page, errors };
}

describe('axe-core finds no serious or critical violation', () => {
  it('/ with a digit drawn and the tour running, on a desktop and on a phone', async (t) => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const { page, errors } = await open('/', viewport);
      await page.getByText(/running (on the server|in your browser)/).waitFor({ timeout: READY_MS });
      await drawDigit(page, 7);
      assert.equal(await shownPrediction(page), 7);
      await page.getByRole('group', { name: 'Tour of the network' }).waitFor();
      await page.locator('[data-strip] button.thumb').first().waitFor();
      const findings = await axe(page);
      assertClean(findings, `/ at ${viewport.width}px`, t, { pageToo: true });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('/gallery with a drawing, its filters and the heat map', async (t) => {
    const { page, errors } = await open('/gallery');
    await page.locator('[data-grid] li.card').first().waitFor();
    await page.locator('table.heatmap').waitFor();
    assertClean(await axe(page), '/gallery', t, { pageToo: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('/embed, light and dark, has a main landmark and a heading', async (t) => {
    for (const query of ['', '?theme=dark&tour=manual']) {
      const { page, errors } = await open(`/embed${query}`, { width: 960, height: 720 });
      await page.getByText(/running (on the server|in your browser)/).waitFor({ timeout: READY_MS });
      await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor({ state: 'attached' });
      await drawDigit(page, 3);
      assert.equal(await shownPrediction(page), 3);
      await page.getByRole('group', { name: 'Tour of the network' }).waitFor();
      if (query) await saveScreenshot(page, 'embed-dark.png');
      assertClean(await axe(page), `/embed${query}`, t, { pageToo: true });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('the drop-in on a plain page from another origin (the element itself)', async (t) => {
    const host =
      await serveOtherOrigin(`<!doctype html><html lang="en"><meta charset="utf-8"><title>My blog</title>
      <main><h1>Convolutions</h1><p>Draw a digit:</p>
      <script type="module" src="${server.url}/cdn/cnn-visualizer.min.js"></script>
      <cnn-visualizer></cnn-visualizer></main></html>`);
    t.after(() => host.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.getByText('running in your browser').waitFor({ timeout: READY_MS });
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    await page.getByRole('group', { name: 'Tour of the network' }).waitFor();
    assertClean(await axe(page), 'the drop-in', t);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
