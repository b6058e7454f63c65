// Screenshots of the renderer's colours and heights on a real MNIST digit, light and dark, with legends
// and a saliency overlay: what a student sees, to judge by eye. Run with
// `node --conditions=source --import tsx scripts/colour-check.mjs`; PNGs go to test-artifacts/colours-*.png.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, serveRepo } from '../bench/browser.mjs';
import { saliency } from '../src/explain/index.ts';
import { digitAt, loadMnistTest } from '../test/helpers/mnist.ts';
import { activationsFor, model, predictBatch } from '../test/helpers/onnx-model.ts';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
mkdirSync(here('../test-artifacts/bench/'), { recursive: true });
await build({
  entryPoints: [here('./colour-page.ts')],
  bundle: true,
  format: 'esm',
  outfile: here('../test-artifacts/bench/colour-page.js'),
  conditions: ['source'],
  logLevel: 'warning',
  tsconfig: here('../tsconfig.json'),
});
const digit = Number(process.env.DIGIT ?? 18); // an MNIST test "3"
const pixels = digitAt(loadMnistTest(), digit);
const acts = await activationsFor(pixels);
const sal = Array.from(await saliency(pixels, predictBatch));
const plain = {
  ...acts,
  layers: acts.layers.map((l) => ({ ...l, data: Array.from(l.data) })),
  probabilities: Array.from(acts.probabilities),
};
const server = await serveRepo();
const browser = await launch();
const shots = [
  ['overview', { layers: [] }, ['input', 'conv1', 'relu1', 'fc3', 'probabilities']],
  ['conv-relu', { layers: ['conv1', 'relu1'] }, ['conv1', 'relu1', 'pool1']],
  ['output', { layers: ['fc3', 'probabilities'] }, ['fc2', 'relu4', 'fc3', 'probabilities']],
  ['input', { layers: ['input'], alpha: -Math.PI / 2 - 0.5, beta: 1.0 }, ['input']],
];
for (const theme of (process.env.THEMES ?? 'light,dark').split(',')) {
  for (const [name, goal, legend] of shots) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/packages/cnn-viz-element/bench/blank.html`);
    await page.addScriptTag({
      url: '/packages/cnn-viz-element/test-artifacts/bench/colour-page.js',
      type: 'module',
    });
    await page.waitForFunction(() => 'renderShot' in globalThis);
    await page.evaluate(
      ([m, a, s]) => globalThis.renderShot(m, a, s),
      [
        model,
        plain,
        { theme, goal, legend, width: 1000, height: 520, saliency: name === 'input' ? sal : undefined },
      ],
    );
    await page.screenshot({ path: here(`../test-artifacts/colours-${name}-${theme}.png`), fullPage: true });
    console.log(name, theme, errors.length ? errors : 'ok');
    await page.close();
  }
}
await browser.close();
server.close();
