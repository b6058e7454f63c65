// Looks at the element as readers see it: bundles it from source, shows it on a plain page at the
// three sizes the product promises (1280×800 desktop, 390×844 phone, a 600×400 blog column), before
// drawing and with a digit, and prints how much of the 3D stage the network's cubes cover.
// `node scripts/look.mjs` → test-artifacts/look-*.png. ATTRS='step="verdict" tour="manual"' to vary.
/* global document, requestAnimationFrame */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, serveRepo } from '../bench/browser.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
mkdirSync(here('../test-artifacts/bench/'), { recursive: true });
await build({
  entryPoints: [here('../src/index.ts')],
  bundle: true,
  splitting: true,
  format: 'esm',
  outdir: here('../test-artifacts/bench/look/'),
  conditions: ['source'],
  logLevel: 'warning',
  tsconfig: here('../tsconfig.json'),
});
const attrs = process.env.ATTRS ?? '';
const page_html = (
  width,
) => `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>look</title><body style="margin:0;padding:${width < 700 ? 0 : 16}px;font-family:system-ui;background:#fafafa">
<script type="module" src="/packages/cnn-viz-element/test-artifacts/bench/look/index.js"></script>
<cnn-visualizer model-url="/model/cnn.json" wasm-path="/node_modules/onnxruntime-web/dist/" ${attrs}></cnn-visualizer></body>`;

/** Fraction of the stage's pixels that differ from its background colour (the cubes and their relief). */
function coverage() {
  const el = document.querySelector('cnn-visualizer');
  const c = el.shadowRoot.querySelector('canvas[part="stage"]');
  const copy = document.createElement('canvas');
  copy.width = c.width;
  copy.height = c.height;
  const ctx = copy.getContext('2d');
  ctx.drawImage(c, 0, 0);
  const { data } = ctx.getImageData(0, 0, c.width, c.height);
  let differ = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 24)
      differ++;
  return differ / (data.length / 4);
}

const server = await serveRepo();
const browser = await launch();
for (const [name, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
  ['blog', { width: 600, height: 400 }],
]) {
  const page = await browser.newPage({ viewport, hasTouch: name === 'phone', isMobile: name === 'phone' });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/look.html', (r) =>
    r.fulfill({ contentType: 'text/html', body: page_html(viewport.width) }),
  );
  await page.goto(`${server.url}/look.html`);
  await page.waitForFunction(() => document.querySelector('cnn-visualizer')?.loaded);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(300);
  const before = await page.evaluate(coverage);
  await page.screenshot({ path: `test-artifacts/look-${name}-empty.png`, fullPage: true });
  await page.evaluate(() => document.querySelector('cnn-visualizer').setAttribute('digit', '3'));
  await page.waitForTimeout(Number(process.env.WAIT ?? 1500));
  const after = await page.evaluate(coverage);
  await page.screenshot({ path: `test-artifacts/look-${name}-digit.png`, fullPage: true });
  if (process.env.HOVER) {
    // point at a cube (fractions of the stage) and look at its explanation
    const [fx, fy] = process.env.HOVER.split(',').map(Number);
    const r = await page.evaluate(() => {
      const c = document.querySelector('cnn-visualizer').shadowRoot.querySelector('canvas[part="stage"]');
      const b = c.getBoundingClientRect();
      return { x: b.left, y: b.top, w: b.width, h: b.height };
    });
    if (name === 'phone') await page.touchscreen.tap(r.x + fx * r.w, r.y + fy * r.h);
    else await page.mouse.move(r.x + fx * r.w, r.y + fy * r.h, { steps: 3 });
    await page
      .waitForFunction(
        () => document.querySelector('cnn-visualizer').shadowRoot.querySelector('[part="explanation"]'),
        undefined,
        { timeout: 15000 },
      )
      .catch(() => console.log(name, 'no explanation panel'));
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-artifacts/look-${name}-explain.png`, fullPage: true });
  }
  if (process.env.SALIENCY) {
    await page.evaluate(() => (document.querySelector('cnn-visualizer').showSaliency = true));
    await page.waitForTimeout(2000);
    await page.screenshot({ path: `test-artifacts/look-${name}-saliency.png`, fullPage: true });
  }
  console.log(
    `${name.padEnd(8)} stage coverage: ${(before * 100).toFixed(1)}% before drawing, ${(after * 100).toFixed(1)}% with a digit`,
    errors.length ? errors : '',
  );
  await page.close();
}
await browser.close();
server.close();
