// What a student sees when the network explains itself, on the real server's /embed page in Debian's
// Chromium: the overview, a convolution's cube explained (its arithmetic, its inputs lit, its window
// traced on the drawing), saliency on, and a phone where a finger taps a cube. Screenshots go to
// test-artifacts/ for a human to read; the assertions are what a reader would notice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launch, saveScreenshot, watchErrors } from './helpers/browser.ts';
import { startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;
const READY_MS = 120_000;

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Share of the stage's pixels that differ from its background (the network's cubes). */
const coverage = (page: Page) =>
  page.evaluate(() => {
    const c = document
      .querySelector('cnn-visualizer')!
      .shadowRoot!.querySelector<HTMLCanvasElement>('canvas[part="stage"]')!;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let differ = 0;
    for (let i = 0; i < data.length; i += 4)
      if (
        Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) >
        24
      )
        differ++;
    return differ / (data.length / 4);
  });

/** Points (or taps) at the stage until an explanation opens; returns its text. */
async function explainSomeCube(page: Page, tap: boolean, wanted = /=/): Promise<string> {
  const stage = page.locator('cnn-visualizer canvas[part="stage"]');
  await stage.scrollIntoViewIfNeeded();
  const box = (await stage.boundingBox())!;
  let first = true;
  for (let fy = 0.35; fy < 0.8; fy += 0.1)
    for (let fx = 0.2; fx < 0.6; fx += 0.04) {
      const x = box.x + fx * box.width;
      const y = box.y + fy * box.height;
      if (tap) await page.touchscreen.tap(x, y);
      else await page.mouse.move(x, y);
      // the first explanation reads the model's weights: give it time; later ones are at once
      const panel = page.locator('cnn-visualizer [part="explanation"]');
      const opened = await panel
        .waitFor({ timeout: first ? 30_000 : 1500 })
        .then(() => true)
        .catch(() => false);
      first = false;
      // (the panel's words live in its own shadow root: Playwright's CSS locators reach into it)
      const text = opened ? ((await panel.locator('.formula').textContent()) ?? '') : '';
      if (wanted.test(text)) return text;
    }
  return '';
}

describe('explanations a student can read', () => {
  it('desktop: the overview fills the stage; a conv cube explains itself; saliency lies on the drawing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/embed?backend=local&tour=off`);
    await page.waitForFunction(() => document.querySelector('cnn-visualizer')?.loaded, undefined, {
      timeout: READY_MS,
    });
    await page.waitForTimeout(300); // one settled frame for the picture
    const before = await coverage(page);
    await saveScreenshot(page, 'explain-overview.png');
    assert.ok(before > 0.25, `the network covers ${(before * 100).toFixed(1)}% of the stage before drawing`);

    // a close-up of the first convolution, as the tour's step shows it
    await page.evaluate(() => {
      const el = document.querySelector('cnn-visualizer')!;
      el.setAttribute('tour', 'manual');
      el.setAttribute('step', 'conv1');
      el.setAttribute('digit', '3');
    });
    await page.locator('cnn-visualizer [part="legend"]').waitFor({ timeout: READY_MS });
    await page.waitForTimeout(1500); // the camera's flight to the step
    const text = await explainSomeCube(page, false, /Σ patch × kernel \+ bias = .* = /);
    assert.match(text, /Σ patch × kernel \+ bias/, 'a convolution cube shows its weighted sum');
    // the legend names the layer being explained and prints its range
    const legend = (await page.locator('cnn-visualizer [part="legend"]').textContent()) ?? '';
    assert.match(legend, /\d/);
    // the drawing shows where the number looked (the overlay has ink)
    const marked = await page.evaluate(() => {
      const o = document
        .querySelector('cnn-visualizer')!
        .shadowRoot!.querySelector('cnn-draw-pad')!
        .shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
      const d = o.getContext('2d')!.getImageData(0, 0, o.width, o.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(marked > 0, 'the receptive field is traced on the draw pad');
    await saveScreenshot(page, 'explain-conv-close-up.png');

    await page.locator('cnn-visualizer [part~="saliency-button"]').click();
    await page.waitForFunction(() => document.querySelector('cnn-visualizer')!.showSaliency);
    await page.waitForTimeout(1500);
    await saveScreenshot(page, 'explain-saliency.png');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('phone 390×844: a tap on a cube opens the explanation under the stage', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/embed?backend=local&tour=off&digit=4`);
    await page.locator('cnn-visualizer [part="legend"]').waitFor({ timeout: READY_MS });
    const text = await explainSomeCube(page, true);
    assert.match(text, /=/, 'a tap explains the cube');
    const [panel, stage] = await Promise.all([
      page.locator('cnn-visualizer [part="explanation"]').boundingBox(),
      page.locator('cnn-visualizer canvas[part="stage"]').boundingBox(),
    ]);
    assert.ok(panel!.y >= stage!.y + stage!.height - 1, 'the panel sits below the network, not over it');
    await saveScreenshot(page, 'explain-phone.png', true);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
