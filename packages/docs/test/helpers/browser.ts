/** Debian's Chromium through playwright-core (never a downloaded browser), and real mouse drawing. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error a plain .mjs module shared with the element's tests (no types)
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../cnn-viz-element/chromium.mjs';
import { REPO } from './server.ts';

export const ARTIFACTS = join(REPO, 'test-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH as string, args: CHROMIUM_ARGS as string[] });
}

/** Collects console errors and page errors, for asserting a page runs clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Polylines in pad units (0–1), in reading order: what a reader would draw for each digit. */
export const STROKES: Record<number, [number, number][][]> = {
  7: [
    [
      [0.25, 0.22],
      [0.72, 0.22],
      [0.55, 0.5],
      [0.42, 0.82],
    ],
  ],
  3: [
    [
      [0.3, 0.22],
      [0.5, 0.15],
      [0.68, 0.25],
      [0.62, 0.42],
      [0.45, 0.5],
      [0.65, 0.58],
      [0.7, 0.75],
      [0.5, 0.86],
      [0.3, 0.8],
    ],
  ],
};

/** Draws a digit on the visualizer's pad with real mouse moves (`root` selects the element). */
export async function drawDigit(page: Page, digit: keyof typeof STROKES, root = 'cnn-visualizer') {
  const pad = page.locator(`${root} cnn-draw-pad canvas`).first();
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (p: [number, number]) => [box.x + p[0] * box.width, box.y + p[1] * box.height] as const;
  for (const stroke of STROKES[digit]) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
    await page.mouse.up();
  }
}

/** The digit the element's prediction sentence names, once it names one. */
export async function shownPrediction(page: Page, root = 'cnn-visualizer'): Promise<number> {
  const strong = page.locator(`${root} [part=prediction] .verdict strong`).first();
  await strong.waitFor({ timeout: 60_000 });
  return Number(await strong.textContent());
}

/**
 * Saves a screenshot to test-artifacts/. Headless Chromium on SwiftShader now and then answers
 * "Unable to capture screenshot" while a frame is in flight: wait for the next frame and try again.
 */
export async function saveScreenshot(page: Page, name: string, fullPage = false) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path: join(ARTIFACTS, name), fullPage });
      return;
    } catch (e) {
      if (attempt >= 4) throw e;
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
    }
  }
}
