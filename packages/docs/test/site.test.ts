// The demo site end to end, as a visitor uses it: the real server on its embedded database, Debian's
// Chromium, a digit drawn with mouse moves, shared to the gallery, found again in the strip, in
// /gallery, in the API and in /api/random_image; a link that shows someone else the same drawing at
// the same step of the tour; "Try your own model". Screenshots go to test-artifacts/ for a human to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { drawDigit, launch, shownPrediction, watchErrors, saveScreenshot } from './helpers/browser.ts';
import { REPO, startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  // one after the other: on a busy machine the server starts much faster without Chromium starting beside it
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0, 'the server exits cleanly on SIGTERM');
});

async function open(path: string, viewport = { width: 1280, height: 800 }, context?: BrowserContext) {
  const page = await (context ?? browser).newPage({ viewport });
  const errors = watchErrors(page);
  await page.goto(server.url + path);
  return { page, errors };
}

/** The machine running the suite may be busy: loading the model and runtime can take a while. */
const READY_MS = 120_000;

/** The element says where the network runs once it can classify. */
const ready = (page: Page, where = /running (on the server|in your browser)/) =>
  page.locator('cnn-visualizer').getByText(where).waitFor({ timeout: READY_MS });

/** The tour's words: the step's title, "n/N" and its text. */
const narration = (page: Page) => page.locator('cnn-visualizer [part=narration-text]');

const norm = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Polls a condition (what a reader would notice) until it holds. */
async function until(check: () => Promise<boolean>, what: string, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two rendered frames: the 3D view has drawn what changed (for screenshots). */
const frames = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('the home page', () => {
  let sharedId: number;

  it('draw a 7 with the mouse: the network reads 7; share it as a 7: the server agrees', async () => {
    const { page, errors } = await open('/');
    assert.match(await page.title(), /cnn-visualizer/);
    await ready(page);
    const entries = await page.evaluate(() => history.length);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    await page.locator('[data-share-hint]').filter({ hasText: 'The network reads 7' }).waitFor();
    // the address now carries the drawing, with no new history entry however many strokes it took
    await page.waitForURL(/[?&]pixels=[\w-]+/);
    assert.equal(await page.evaluate(() => history.length), entries);
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
    await narration(page).waitFor();
    await frames(page);
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
    // the address names the gallery drawing (short), not its pixels
    await page.waitForURL(new RegExp(`[?&]drawing=${sharedId}(&|$)`));
    assert.doesNotMatch(page.url(), /pixels=/);
    const list = await (await fetch(`${server.url}/api/gallery`)).json();
    assert.equal(list.items.length, 1, 'nothing new was stored');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('"Copy link" copies an address that shows someone else the same drawing at the same step', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const { page, errors } = await open('/', undefined, context);
    await ready(page);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    // the reader stops the tour at a step they want to show, and copies the link
    await page.getByRole('button', { name: 'Next ›' }).click();
    await page
      .getByRole('button', { name: 'Pause' })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await page.getByRole('button', { name: 'Next ›' }).click();
    const words = norm(await narration(page).textContent());
    await page.getByRole('button', { name: 'Copy link to this view' }).click();
    await page.locator('[data-link-status]').filter({ hasText: 'Link copied' }).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, page.url());
    assert.match(link, /[?&]pixels=[\w-]+/);
    assert.match(link, /[?&]step=[\w.-]+/);
    assert.ok(link.length < 600, `a link of ${link.length} characters is short enough to paste anywhere`);
    assert.deepEqual(errors, []);
    await context.close();

    // someone else opens it: the drawing is on the pad, classified, and the tour is at that step
    const other = await open(link.slice(server.url.length));
    await ready(other.page);
    assert.equal(await shownPrediction(other.page), 7);
    await until(
      async () => norm(await narration(other.page).textContent()) === words,
      'the same step of the tour',
    );
    assert.equal(await other.page.locator('cnn-visualizer').getByText('Draw a digit here').count(), 0);
    await other.page.locator('[data-share-hint]').filter({ hasText: 'The network reads 7' }).waitFor();
    await frames(other.page);
    await saveScreenshot(other.page, 'site-shared-link.png');
    // clearing the pad takes the drawing and the step out of the address
    await other.page.locator('cnn-visualizer').getByRole('button', { name: 'Clear' }).click();
    await other.page.waitForURL((u) => !u.searchParams.has('pixels') && !u.searchParams.has('step'));
    assert.deepEqual(other.errors, []);
    await other.page.close();
  });

  it('a link whose drawing cannot be read says so, and the page still works', async () => {
    const { page, errors } = await open('/?pixels=not-a-drawing&step=conv1');
    await page
      .locator('[data-link-status]')
      .filter({ hasText: "This link's drawing could not be opened: it is not a compressed drawing." })
      .waitFor();
    await ready(page);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('works on a phone in portrait: draw pad above the 3D view, nothing wider than the screen', async () => {
    const { page, errors } = await open('/', { width: 390, height: 844 });
    await ready(page);
    await drawDigit(page, 3);
    assert.equal(await shownPrediction(page), 3);
    const pad = (await page.locator('cnn-visualizer [part=draw-pad]').boundingBox())!;
    const stage = (await page.locator('cnn-visualizer [part=stage]').boundingBox())!;
    assert.ok(pad.y + pad.height <= stage.y, 'the draw pad is above the 3D view');
    assert.ok(stage.width <= 390 && pad.x >= 0, 'the layout fits the screen');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `no horizontal scrolling (page is ${scrollWidth}px wide)`);
    await narration(page).waitFor();
    await frames(page);
    await saveScreenshot(page, 'site-phone.png', true);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('our two networks', () => {
  const description = async (path: string) =>
    (await (await fetch(`${server.url}${path}`)).json()) as { layers: { shape: number[] }[] };
  /** What the tour's overview says of a network: its layer count and its number of activations. */
  const overview = (d: { layers: { shape: number[] }[] }) =>
    `${d.layers.length} layers, ${d.layers
      .reduce((sum, l) => sum + l.shape.reduce((a, b) => a * b, 1), 0)
      .toLocaleString('en')} numbers`;
  const choiceStatus = (page: Page) => page.locator('[data-network-status]');

  it('choosing the small VGG shows that network and it reads a drawn 7; the address keeps the choice; back to LeNet-5', async () => {
    const vgg = await description('/cdn/small-vgg/cnn.json');
    const lenet = await description('/cdn/cnn.json');
    assert.notEqual(vgg.layers.length, lenet.layers.length, 'two networks of different shapes');
    const { page, errors } = await open('/');
    await ready(page, /running on the server/);
    await choiceStatus(page)
      .filter({ hasText: `Our LeNet-5: ${lenet.layers.length} layers` })
      .waitFor();
    await page.getByLabel('Small VGG').check();
    await choiceStatus(page)
      .filter({ hasText: `Our small VGG: ${vgg.layers.length} layers` })
      .waitFor({ timeout: READY_MS });
    // the server runs LeNet-5 only: the small VGG runs in the page
    await ready(page, /running in your browser/);
    assert.equal(await page.locator('cnn-visualizer').getAttribute('model-url'), '/cdn/small-vgg/cnn.json');
    await page.waitForURL((u) => u.searchParams.get('network') === 'small-vgg');
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    await page.locator('[data-share-hint]').filter({ hasText: 'The network reads 7' }).waitFor();
    await page.evaluate(() => scrollTo(0, 0));
    await frames(page);
    await saveScreenshot(page, 'site-small-vgg.png');

    await page.getByLabel('LeNet-5').check();
    await ready(page, /running on the server/);
    await choiceStatus(page)
      .filter({ hasText: `Our LeNet-5: ${lenet.layers.length} layers` })
      .waitFor();
    await page.waitForURL((u) => !u.searchParams.has('network') && u.searchParams.has('pixels'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("/?network=small-vgg opens the small VGG: the tour's overview counts its layers", async () => {
    const vgg = await description('/cdn/small-vgg/cnn.json');
    const { page, errors } = await open('/?network=small-vgg&step=overview');
    await ready(page, /running in your browser/);
    assert.ok(await page.getByLabel('Small VGG').isChecked());
    await until(
      async () => norm(await narration(page).textContent()).includes(overview(vgg)),
      `the overview to say "${overview(vgg)}"`,
      READY_MS,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a reader\'s own model replaces the chosen network; "Back to our small VGG" returns to it', async () => {
    const { page, errors } = await open('/?network=small-vgg');
    await ready(page, /running in your browser/);
    await page.getByLabel('Choose an .onnx file').setInputFiles({
      name: 'cnn.onnx',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(join(REPO, 'model/cnn.onnx')),
    });
    await page
      .locator('[data-model-status]')
      .filter({ hasText: 'Running cnn.onnx' })
      .waitFor({ timeout: READY_MS });
    assert.equal(norm(await choiceStatus(page).textContent()), '');
    await page.getByRole('button', { name: 'Back to our small VGG' }).click();
    await choiceStatus(page).filter({ hasText: 'Our small VGG' }).waitFor({ timeout: READY_MS });
    assert.equal(await page.locator('cnn-visualizer').getAttribute('model-url'), '/cdn/small-vgg/cnn.json');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('try your own model', () => {
  const ONNX = readFileSync(join(REPO, 'model/cnn.onnx'));
  const status = (page: Page) => page.locator('[data-model-status]');

  it('a file that is not an ONNX model is refused in words; the network stays ours', async () => {
    const { page, errors } = await open('/');
    await ready(page);
    await page.getByLabel('Choose an .onnx file').setInputFiles({
      name: 'my-digit.png',
      mimeType: 'image/png',
      buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    });
    await status(page).filter({ hasText: '“my-digit.png” is not an ONNX model' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Back to our LeNet-5' }).isHidden());
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("an .onnx file that is not a model, dropped on the page: the element's error, in words", async () => {
    const { page, errors } = await open('/');
    await ready(page);
    const files = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([1, 2, 3, 4, 5])], 'broken.onnx'));
      return dt;
    });
    await page.dispatchEvent('[data-drop-zone]', 'drop', { dataTransfer: files });
    const shown = page.locator('cnn-visualizer [part=error]');
    await shown.waitFor({ timeout: READY_MS });
    const message = (await shown.textContent())!.trim();
    await status(page)
      .filter({ hasText: `broken.onnx could not be used. ${message}` })
      .waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('model/cnn.onnx picked: it runs in the page and reads a 7; the file is never uploaded; back to ours', async () => {
    const { page, errors } = await open('/');
    await ready(page, /running on the server/);
    const sent: string[] = [];
    page.on('request', (r) => r.method() !== 'GET' && sent.push(`${r.method()} ${r.url()}`));
    await page.getByLabel('Choose an .onnx file').setInputFiles({
      name: 'cnn.onnx',
      mimeType: 'application/octet-stream',
      buffer: ONNX,
    });
    // running, or refused in words (then the test says why)
    await status(page)
      .filter({ hasText: /Running|could not be used/ })
      .waitFor({ timeout: READY_MS });
    assert.match((await status(page).textContent()) ?? '', /Running cnn\.onnx in your browser/);
    await ready(page, /running in your browser/);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    await page.locator('[data-share-hint]').filter({ hasText: 'Your model reads 7' }).waitFor();
    assert.deepEqual(sent, [], 'nothing was sent anywhere');
    await saveScreenshot(page, 'site-own-model.png');
    await page.getByRole('button', { name: 'Back to our LeNet-5' }).click();
    await ready(page, /running on the server/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('/?model=<URL of a hosted model> runs that model in the page and keeps it in the address', async () => {
    const model = `${server.url}/cdn/cnn.json`;
    const { page, errors } = await open(`/?model=${encodeURIComponent(model)}`);
    await status(page)
      .filter({ hasText: `Running ${model} in your browser` })
      .waitFor({ timeout: READY_MS });
    await ready(page, /running in your browser/);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    await page.waitForURL((u) => u.searchParams.get('model') === model && u.searchParams.has('pixels'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('/?model= with a URL that is not http(s) is ignored', async () => {
    const { page, errors } = await open(`/?model=${encodeURIComponent('javascript:alert(1)')}`);
    await ready(page, /running on the server/);
    assert.equal(await page.locator('cnn-visualizer').getAttribute('model-url'), null);
    assert.equal((await status(page).textContent())?.trim(), '');
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
