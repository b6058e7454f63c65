// Local inference in Chromium: onnxruntime-web (wasm, 1 thread) running the shipped LeNet-5 and
// fetching every layer (13 outputs) vs only the probabilities, per single drawing.
import { launch, serveRepo } from './browser.mjs';

const server = await serveRepo();
const browser = await launch();
const page = await browser.newPage();
await page.goto(`${server.url}/packages/cnn-viz-element/bench/blank.html`);
const result = await page.evaluate(async () => {
  const ort = await import('/node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create('/model/cnn.onnx');
  const createMs = performance.now() - t0;
  const input = new Float32Array(784).map((_, i) => ((i * 7919) % 255) / 255);
  const feeds = { input: new ort.Tensor('float32', input, [1, 1, 28, 28]) };
  const time = async (fetches) => {
    for (let i = 0; i < 200; i++) await session.run(feeds, fetches);
    // performance.now() is coarsened to 0.1 ms on pages that are not cross-origin isolated, so
    // time batches of 50 runs and report the distribution of the per-run mean over 60 batches
    const xs = [];
    for (let b = 0; b < 60; b++) {
      const s = performance.now();
      for (let i = 0; i < 50; i++) await session.run(feeds, fetches);
      xs.push((performance.now() - s) / 50);
    }
    xs.sort((a, b) => a - b);
    return { p50: xs[30], p99: xs[59] };
  };
  return { createMs, all: await time(undefined), probs: await time(['probabilities']) };
});
await browser.close();
server.close();
console.log(
  '\nLocal inference in Chromium (onnxruntime-web 1.30 wasm, 1 thread), 60 batches of 50 runs after 200 warm-up; per-run means',
);
console.log('| what | median ms | worst batch ms |\n|---|---:|---:|');
console.log(
  `| all 13 layer outputs (what the element fetches) | ${result.all.p50.toFixed(3)} | ${result.all.p99.toFixed(3)} |`,
);
console.log(`| probabilities only | ${result.probs.p50.toFixed(3)} | ${result.probs.p99.toFixed(3)} |`);
console.log(`| session creation (once) | ${result.createMs.toFixed(0)} | |`);
