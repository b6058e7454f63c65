// Renderer frame cost in Chromium (SwiftShader, so GPU work is CPU work in another process; we time the
// page's JavaScript per frame: update + scene.render()), side by side with the baselines, with and
// without 4× CPU throttling. Heap growth per frame uses Chromium's precise memory info.
// First (MODES=big-tour alone) the whole tour on a ~100k-cube network (issue 12.4: 32 maps of 32×32
// after the first convolution; BIG_MAPS=32,64,128 for ~100k/200k/400k cubes, TOUR_SPEED to change
// the pace, BIG_SECONDS to cut it short): JS per frame median and p95, per step and in all, and the most draw calls of a frame.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';
import { serveRepo } from './browser.mjs';

const out = fileURLToPath(new URL('../test-artifacts/bench/render-page.js', import.meta.url));
mkdirSync(fileURLToPath(new URL('../test-artifacts/bench/', import.meta.url)), { recursive: true });
await build({
  entryPoints: [fileURLToPath(new URL('./render-page.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  outfile: out,
  conditions: ['source'],
  logLevel: 'warning',
  tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
});
const server = await serveRepo();
// a fresh page per measurement: one WebGL context at a time, nothing left over from the last run
async function measure(mode, frames, throttle) {
  return inPage(throttle, ([m, f]) => globalThis.runBench(m, f), [mode, frames]);
}
async function inPage(throttle, fn, arg) {
  // a fresh browser too: SwiftShader's GPU process does not survive many context creations in a row
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  page.on('console', (m) => m.type() === 'error' && console.error(m.text()));
  await page.goto(`${server.url}/packages/cnn-viz-element/bench/blank.html`);
  await page.addScriptTag({
    type: 'module',
    url: '/packages/cnn-viz-element/test-artifacts/bench/render-page.js',
  });
  await page.waitForFunction(() => typeof globalThis.runBench === 'function');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  const r = await page.evaluate(fn, arg);
  await browser.close();
  return r;
}
const rows = [];
const only = process.env.MODES?.split(',');
// issue 12.4: the whole tour on a ~100k-cube network (32 maps of 32×32 after the first convolution)
if (!only || only.includes('big-tour')) {
  const speed = Number(process.env.TOUR_SPEED ?? 8);
  for (const maps of (process.env.BIG_MAPS ?? '32').split(',').map(Number)) {
    const seconds = Number(process.env.BIG_SECONDS ?? 420); // then the tour is cut short
    let r;
    try {
      r = await inPage(1, ([s, m, t]) => globalThis.runBigTour(s, m, t), [speed, maps, seconds]);
    } catch (e) {
      if (!/ModelTooLargeError/.test(e.message)) throw e;
      console.log(`\n${maps} maps: refused by the view (${e.message.split('\n')[0]})`);
      continue;
    }
    console.log(
      `\n${r.cubes.toLocaleString('en')} cubes (${maps} maps of 32×32 after the first convolution), the whole tour at speed ${speed}: ${r.frames} frames${r.finished ? '' : ' (NOT finished: timed out)'}`,
    );
    console.log('\n| tour step | effect | frames | JS ms / frame, median | p95 |\n|---|---|---:|---:|---:|');
    for (const s of r.steps)
      console.log(`| ${s.id} | ${s.effect} | ${s.frames} | ${s.median.toFixed(2)} | ${s.p95.toFixed(2)} |`);
    console.log(
      `| **all frames** | | ${r.frames} | **${r.median.toFixed(2)}** | **${r.p95.toFixed(2)}** (max ${r.max.toFixed(2)}) |`,
    );
    console.log(
      `\nslowest frames: ${r.slowest.map((f) => `${f.step} #${f.frame} ${f.ms.toFixed(1)} ms (tour update ${f.update.toFixed(1)}, upload + draw ${f.draw.toFixed(1)})`).join('; ')}`,
    );
    console.log(
      `\nmost draw calls in a frame: ${r.drawCalls}; time between frames (median): ${r.intervalMedian.toFixed(1)} ms; new activations (recolour + draw): ${r.recolourMedian.toFixed(2)} ms median`,
    );
  }
}
for (const throttle of [1, 4]) {
  for (const [mode, frames] of [
    ['idle', 40],
    ['in-place', 40],
    ['tour', 40],
    ['explain', 40],
    ['explain-hover', 40],
    ['realloc', 40],
    ['per-cube', throttle === 1 ? 8 : 4],
  ]) {
    if (only && !only.includes(mode)) continue;
    const r = await measure(mode, frames, throttle);
    rows.push({ mode, throttle, ...r });
    console.error(mode, throttle, JSON.stringify(r));
  }
}
server.close();
const label = {
  idle: 'thin instances, nothing changes (Babylon\u2019s own per-frame cost)',
  'in-place': 'thin instances, colours updated in place (new activations every frame)',
  tour: 'thin instances during the tour (sweep + receptive-field highlight every frame)',
  explain: 'thin instances with an explanation open (a conv2 cube and its 150 inputs highlighted)',
  'explain-hover': 'thin instances, the pointer explaining another cube every frame',
  realloc: 'thin instances, new buffers every frame (the site we replace)',
  'per-cube': 'one mesh per cube',
};
if (rows.length)
  console.log(
    '\n| renderer | CPU | JS ms / frame | heap bytes / frame | draw calls |\n|---|---|---:|---:|---:|',
  );
for (const r of rows)
  console.log(
    `| ${label[r.mode]} | ${r.throttle}× | ${r.ms.toFixed(2)} | ${Math.round(r.bytes).toLocaleString('en')} | ${r.drawCalls} |`,
  );
