// "Watch it learn" as a reader meets it, through our real server in Debian's Chromium: the training
// slider on the demo site's `/` (the network on the server, which runs the chosen checkpoint too) and
// `/embed?checkpoint=…` (in the page). Screenshots of three moments land in test-artifacts/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { drawDigit, launch, saveScreenshot, shownPrediction, watchErrors } from './helpers/browser.ts';
import { REPO, startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const READY_MS = 120_000;
const checkpoints: { step: number; testAccuracy: number }[] = JSON.parse(
  readFileSync(join(REPO, 'model/cnn.json'), 'utf8'),
).checkpoints;
const last = checkpoints.length - 1;

/** Records every `cnn-prediction`'s probabilities on the page's element. */
async function recordPredictions(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { predictions: number[][] };
    w.predictions = [];
    document
      .querySelector('cnn-visualizer')!
      .addEventListener('cnn-prediction', (e) =>
        w.predictions.push([...(e as CustomEvent<{ probabilities: Float32Array }>).detail.probabilities]),
      );
  });
}
const predictions = (page: Page) =>
  page.evaluate(() => (window as unknown as { predictions: number[][] }).predictions);

/** Moves the slider as a reader does: focus it and press arrow keys until it shows `index`. */
async function scrubTo(page: Page, index: number) {
  const slider = page.locator('cnn-visualizer [part=training] input[type=range]');
  await slider.focus();
  const now = Number(await slider.inputValue());
  for (let i = 0; i < Math.abs(index - now); i++)
    await slider.press(index < now ? 'ArrowLeft' : 'ArrowRight');
  assert.equal(Number(await slider.inputValue()), index);
}

/** Waits until the latest answer is settled on a distribution with `test` true. */
async function waitForAnswer(page: Page, test: (p: number[]) => boolean, what: string) {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const p = (await predictions(page)).at(-1);
    if (p && test(p)) return p;
    if (Date.now() > deadline) throw new Error(`no answer ${what}; last: ${JSON.stringify(p)}`);
    await page.waitForTimeout(100);
  }
}

const frames = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('watch it learn', () => {
  it('/embed?checkpoint=0 opens at random weights; the slider walks to the trained network (three screenshots)', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors = watchErrors(page);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(`${server.url}/embed?backend=local&checkpoint=0&tour=off`);
    await page.locator('cnn-visualizer [part=training]').waitFor({ timeout: READY_MS });
    await recordPredictions(page);
    await drawDigit(page, 7);
    // random weights: the untrained network does not see a 7 (it answers one class to everything)
    await waitForAnswer(page, (p) => p.indexOf(Math.max(...p)) !== 7, 'other than 7');
    await page.locator('cnn-visualizer [part=training]').getByText('random weights').waitFor();
    await frames(page);
    await saveScreenshot(page, 'learn-1-random-weights.png');
    const checkpointFiles = () =>
      fetched.filter((u) => u.includes('/checkpoints/')).map((u) => u.split('/').pop());
    assert.deepEqual(checkpointFiles(), ['step-000000.onnx'], 'only the chosen moment was fetched');

    await scrubTo(page, 3); // 200 steps
    await page
      .locator('cnn-visualizer [part=training]')
      .getByText(`after ${checkpoints[3].step} steps`)
      .waitFor();
    await waitForAnswer(page, (p) => p.indexOf(Math.max(...p)) === 7, 'of 7 after 200 steps');
    await frames(page);
    await saveScreenshot(page, 'learn-2-after-200-steps.png');

    await scrubTo(page, last);
    await waitForAnswer(page, (p) => Math.max(...p) > 0.9 && p.indexOf(Math.max(...p)) === 7, 'a sure 7');
    assert.equal(await shownPrediction(page), 7);
    await page.locator('cnn-visualizer [part=training]').getByText('fully trained').waitFor();
    await frames(page);
    await saveScreenshot(page, 'learn-3-trained.png');
    // each moment fetched at most once, only moments the reader stepped through (the last is the
    // shipped cnn.onnx), and surely the ones they stopped on; a moment passed over while another was
    // still loading may be skipped (the latest choice wins)
    const file = (i: number) => (checkpoints[i] as unknown as { onnx: string }).onnx.split('/').pop()!;
    const passed = checkpoints.slice(0, last).map((_, i) => file(i));
    const got = checkpointFiles();
    assert.equal(new Set(got).size, got.length, `fetched twice: ${got.join(', ')}`);
    assert.deepEqual(
      got.filter((f) => !passed.includes(f!)),
      [],
      'only moments the reader passed',
    );
    for (const stop of [0, 3]) assert.ok(got.includes(file(stop)), `moment ${stop} (${file(stop)}) fetched`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('on /, the network on the server runs the moment the reader chooses, and the address keeps it', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors = watchErrors(page);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(`${server.url}/`);
    await page.locator('cnn-visualizer').getByText('running on the server').waitFor({ timeout: READY_MS });
    await recordPredictions(page);
    await drawDigit(page, 7);
    await waitForAnswer(page, (p) => p.indexOf(Math.max(...p)) === 7, 'of 7');
    await page.locator('cnn-visualizer [part=training]').waitFor();
    await scrubTo(page, 0);
    await waitForAnswer(page, (p) => p.indexOf(Math.max(...p)) !== 7, 'other than 7, from the server');
    // the address keeps the moment, so a shared link opens there
    await page.waitForURL(/[?&]checkpoint=0(&|$)/);
    const link = page.url();
    await scrubTo(page, last);
    await waitForAnswer(page, (p) => Math.max(...p) > 0.9, 'the trained answer again');
    // the server ran the moments: the page fetched no model (only the first filters' weights to draw)
    assert.ok(!fetched.some((u) => u.includes('ort-wasm')), 'no onnxruntime in the page');
    await page.waitForURL(new RegExp(`[?&]checkpoint=${last}(&|$)`));
    // the link copied at moment 0 opens the drawing at moment 0
    const other = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const otherErrors = watchErrors(other);
    await other.goto(link);
    const slider = other.locator('cnn-visualizer [part=training] input[type=range]');
    await slider.waitFor({ timeout: READY_MS });
    assert.equal(await slider.inputValue(), '0');
    assert.notEqual(await shownPrediction(other), 7, 'the untrained network on the shared drawing');
    assert.deepEqual(otherErrors, []);
    await other.close();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
