// Bundled by saliency.bench.mjs and run in Chromium: occlusion saliency on the element's own local
// backend (LocalOnnxBackend.predictBatch: one session.run per batch, onnxruntime-web wasm, 1 thread).
import { occlusionSaliency, type SaliencyOptions } from '../src/explain/saliency.js';
import { LocalOnnxBackend } from '../src/inference/local-backend.js';
import type { ModelDescription } from '../src/model/description.js';

async function bench(model: ModelDescription, digits: number[][], settings: SaliencyOptions[]) {
  const backend = new LocalOnnxBackend(model, {
    modelUrl: '/model/cnn.onnx',
    wasmPath: '/node_modules/onnxruntime-web/dist/',
  });
  await backend.load();
  const pixels = digits.map((d) => Uint8Array.from(d));
  const predict = backend.predictBatch.bind(backend);
  for (let i = 0; i < 5; i++) await occlusionSaliency(pixels[i % pixels.length], predict);
  const rows = [];
  for (const options of settings) {
    const times: number[] = [];
    let variants = 0;
    for (const p of pixels) {
      const t = performance.now();
      const r = await occlusionSaliency(p, predict, options);
      times.push(performance.now() - t);
      variants += r.variants;
    }
    rows.push({ options, times, variants: variants / pixels.length });
  }
  backend.dispose();
  return rows;
}

(globalThis as unknown as { benchSaliency: typeof bench }).benchSaliency = bench;
