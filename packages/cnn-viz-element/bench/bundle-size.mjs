// What a page downloads, gzip -9, from the built drop-in (run `npm run build` first).
//
// 1. Measured in Chromium: a plain page with `<cnn-visualizer>` and the drop-in's script tag; every
//    JavaScript file the page fetches until the element is ready and its 3D view has drawn frames
//    (`cnn-ready`, then two animation frames), without onnxruntime-web (only the in-page backend
//    needs it, and a page on the server backend never fetches it). The figure issue 11 budgets.
// 2. Every file of dist/cdn/, for reference, and what the in-page backend adds.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch, repoRoot, serveRepo } from './browser.mjs';

const dir = fileURLToPath(new URL('../dist/cdn/', import.meta.url));
if (!existsSync(dir)) throw new Error('build the element first: npm run build -w packages/cnn-viz-element');
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const isOrt = (name) => /(^|\/)ort[.-]/.test(name);

// ── 1. measured ──
/* global document, requestAnimationFrame -- the callback below runs in the page */
const server = await serveRepo();
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
const scripts = new Set();
page.on('requestfinished', (r) => {
  const path = new URL(r.url()).pathname;
  if (path.endsWith('.js') || path.endsWith('.mjs')) scripts.add(path);
});
page.on('response', (r) => r.status() >= 400 && console.error(`${r.status()} ${r.url()}`));
const entryUrl = `/${relative(repoRoot, dir)}/cnn-visualizer.min.js`;
await page.goto(`${server.url}/packages/cnn-viz-element/bench/blank.html`);
await page.evaluate(async (src) => {
  const el = document.createElement('cnn-visualizer');
  const ready = new Promise((resolve, reject) => {
    el.addEventListener('cnn-ready', resolve, { once: true });
    el.addEventListener('cnn-error', (e) => reject(new Error(e.detail.message)), { once: true });
  });
  document.body.append(el);
  const script = Object.assign(document.createElement('script'), { type: 'module', src });
  document.head.append(script);
  await ready;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}, entryUrl);
await browser.close();
server.close();
const fetched = [...scripts].map((p) => ({ path: p, gz: gz(join(repoRoot, p)) }));
const before3d = fetched.filter((f) => !isOrt(f.path));
const total = before3d.reduce((s, f) => s + f.gz, 0);
console.log(
  '| JavaScript a page fetches before the 3D view draws (Chromium, without ORT) | gzip |\n|---|---:|',
);
for (const f of before3d) console.log(`| ${f.path.slice(f.path.indexOf('/cdn/') + 5)} | ${kb(f.gz)} |`);
console.log(`| **total** (goal ≤ 250 KB; 241.3 KB on 2026-11-26) | **${kb(total)}** |`);

// ── 2. every file ──
console.log('\n| dist/cdn/ file | bytes | gzip |\n|---|---:|---:|');
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true }))
    if (e.isDirectory()) walk(join(d, e.name));
    else if (!e.name.endsWith('.map')) files.push(join(d, e.name));
};
walk(dir);
for (const f of files) console.log(`| ${relative(dir, f)} | ${statSync(f).size} | ${kb(gz(f))} |`);
const ort = files.filter((f) => isOrt(relative(dir, f)) && f.endsWith('.js')).reduce((s, f) => s + gz(f), 0);
console.log(`\n| what the in-page backend adds | gzip |\n|---|---:|`);
console.log(`| onnxruntime-web JS | ${kb(ort)} |`);
console.log(`| ORT wasm | ${kb(gz(join(dir, 'ort-wasm-simd-threaded.wasm')))} |`);
console.log(`| cnn.onnx | ${kb(gz(join(dir, 'cnn.onnx')))} |`);
