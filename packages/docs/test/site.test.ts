// The demo site end to end, as a visitor uses it: the real server on its embedded database, Debian's
// Chromium, a digit drawn with mouse moves, shared to the gallery, found again in the strip, in
// /gallery, in the API and in /api/random_image. Screenshots go to test-artifacts/ for a human to look at.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { drawDigit, launch, shownPrediction, watchErrors, saveScreenshot } from './helpers/browser.ts';
import { startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0, 'the server exits cleanly on SIGTERM');
});

async function open(path: string, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = watchErrors(page);
  await page.goto(server.url + path);
  return { page, errors };
}

const ready = (page: Page) =>
  page.waitForFunction(
    () => document.querySelector('cnn-visualizer')?.shadowRoot?.querySelector('.backend')?.textContent,
    null,
    {
      timeout: 60_000,
    },
  );

describe('the home page', () => {
  let sharedId: number;

  it('draw a 7 with the mouse: the network reads 7; share it as a 7: the server agrees', async () => {
    const { page, errors } = await open('/');
    assert.match(await page.title(), /cnn-visualizer/);
    await ready(page);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    assert.match((await page.locator('[data-share-hint]').textContent()) ?? '', /reads 7/);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/gallery') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'I drew a 7: share it' }).click(),
    ]);
    assert.equal(response.status(), 201);
    sharedId = (await response.json()).id;
    await page.locator('[data-share-verdict]').filter({ hasText: 'The server agrees: a 7' }).waitFor();
    // shared once: the buttons are off until the drawing changes
    assert.ok(await page.getByRole('button', { name: 'I drew a 7: share it' }).isDisabled());
    // the strip shows it
    await page.locator('[data-strip] img[alt="A hand-drawn 7, read correctly"]').first().waitFor();
    await page.evaluate(() => scrollTo(0, 0));
    await page.waitForTimeout(1500); // let the tour's first step settle for the screenshot
    await saveScreenshot(page, 'site-desktop.png');
    await saveScreenshot(page, 'site-desktop-full.png', true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the shared drawing is in the API, and random_image returns its PNG', async () => {
    const list = await (await fetch(`${server.url}/api/gallery`)).json();
    assert.equal(list.items.length, 1);
    assert.deepEqual(
      { id: list.items[0].id, label: list.items[0].label, prediction: list.items[0].prediction },
      { id: sharedId, label: 7, prediction: 7 },
    );
    const png = await fetch(`${server.url}/api/random_image`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.equal(png.headers.get('x-drawing-id'), String(sharedId));
    const bytes = new Uint8Array(await png.arrayBuffer());
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  });

  it('clicking a drawing in the strip loads it into the visualizer without storing it again', async () => {
    const { page, errors } = await open('/');
    await ready(page);
    await page.locator('[data-strip] button.thumb').first().click();
    assert.equal(await shownPrediction(page), 7);
    await page.locator('[data-share-hint]').filter({ hasText: 'from the gallery' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'I drew a 7: share it' }).isDisabled());
    const list = await (await fetch(`${server.url}/api/gallery`)).json();
    assert.equal(list.items.length, 1, 'nothing new was stored');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('works on a phone in portrait: draw pad above the 3D view, nothing wider than the screen', async () => {
    const { page, errors } = await open('/', { width: 390, height: 844 });
    await ready(page);
    await drawDigit(page, 3);
    assert.equal(await shownPrediction(page), 3);
    const pad = (await page.locator('cnn-visualizer cnn-draw-pad').boundingBox())!;
    const stage = (await page.locator('cnn-visualizer canvas.stage').boundingBox())!;
    assert.ok(pad.y + pad.height <= stage.y, 'the draw pad is above the 3D view');
    assert.ok(stage.width <= 390 && pad.x >= 0, 'the layout fits the screen');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `no horizontal scrolling (page is ${scrollWidth}px wide)`);
    await page.waitForTimeout(1500);
    await saveScreenshot(page, 'site-phone.png', true);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('the gallery page', () => {
  it('shows the drawings, filters them, and draws the confusion matrix', async () => {
    // one misclassified drawing too: a 7 shared as a 1
    const seven = await (await fetch(`${server.url}/api/gallery`)).json();
    const pixels = (await (await fetch(`${server.url}/api/gallery/${seven.items[0].id}`)).json()).pixels;
    const r = await fetch(`${server.url}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels, label: 1 }),
    });
    assert.equal(r.status, 201);

    const { page, errors } = await open('/gallery');
    await page.locator('[data-grid] li.card').nth(1).waitFor();
    assert.equal(await page.locator('[data-grid] li.card').count(), 2);
    assert.match(
      (await page.locator('[data-stats-summary]').textContent()) ?? '',
      /2 drawings shared; the network read 50\.0%/,
    );
    // row "1" of the heat map has its one drawing under column 7
    const row1 = page.locator('table.heatmap tbody tr').nth(1);
    assert.equal((await row1.locator('td').nth(7).textContent())?.trim(), '1');
    await saveScreenshot(page, 'site-gallery.png', true);

    await page.getByLabel('only the ones the network got wrong').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-grid] li.card').length === 1);
    assert.match(page.url(), /misclassified=true/);
    assert.match((await page.locator('[data-grid] li.card').textContent()) ?? '', /meant\s*1/);
    await page.selectOption('select[name=label]', '3');
    await page.locator('[data-grid-status]').filter({ hasText: 'No drawings match' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
