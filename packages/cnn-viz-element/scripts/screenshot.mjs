// Renders the drop-in bundle on a plain HTML page, draws a digit with the mouse and saves screenshots
// to test-artifacts/ (desktop and phone), so we look at what readers see. Run after `npm run build`.
/* global document */
import { launch, serveRepo } from '../bench/browser.mjs';

const server = await serveRepo();
const page_html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>drop-in</title><body style="margin:24px;font-family:system-ui;background:#fafafa">
<h1 style="font-size:20px">A plain page with the drop-in</h1>
<script type="module" src="/packages/cnn-viz-element/dist/cdn/cnn-visualizer.min.js"></script>
<cnn-visualizer THEME></cnn-visualizer></body>`;
const browser = await launch();
for (const [name, viewport, theme] of [
  ['desktop', { width: 1280, height: 900 }, 'light'],
  ['desktop-dark', { width: 1280, height: 900 }, 'dark'],
  ['phone', { width: 390, height: 1300 }, 'light'],
]) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/plain.html', (r) =>
    r.fulfill({ contentType: 'text/html', body: page_html.replace('THEME', `theme="${theme}"`) }),
  );
  await page.goto(`${server.url}/plain.html`);
  await page.waitForFunction(() =>
    document.querySelector('cnn-visualizer')?.shadowRoot?.querySelector('cnn-draw-pad'),
  );
  await page.evaluate(
    () =>
      new Promise((r) =>
        document.querySelector('cnn-visualizer').addEventListener('cnn-ready', r, { once: true }),
      ),
  );
  const box = await page.evaluate(() => {
    const c = document
      .querySelector('cnn-visualizer')
      .shadowRoot.querySelector('cnn-draw-pad')
      .shadowRoot.querySelector('canvas');
    const r = c.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  });
  const pt = (fx, fy) => [box.x + fx * box.w, box.y + fy * box.h];
  // a "3"
  const path = [
    [0.3, 0.22],
    [0.5, 0.15],
    [0.68, 0.25],
    [0.62, 0.42],
    [0.45, 0.5],
    [0.65, 0.58],
    [0.7, 0.75],
    [0.5, 0.86],
    [0.3, 0.8],
  ];
  await page.mouse.move(...pt(...path[0]));
  await page.mouse.down();
  for (const p of path.slice(1)) await page.mouse.move(...pt(...p), { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(Number(process.env.WAIT ?? 9000));
  await page.screenshot({ path: `test-artifacts/element-${name}.png`, fullPage: true });
  console.log(name, errors.length ? errors : 'no console errors');
  await page.close();
}
await browser.close();
server.close();
