/**
 * What a bundler user of `cnn-visualizer` adds to their Vite config: the model (`cnn.json`, `cnn.onnx`,
 * shipped beside the package's drop-in) and onnxruntime-web's wasm (from the `onnxruntime-web` the
 * package itself imports, so the wasm matches the ORT JavaScript the bundler bundles), copied to
 * `/cnn/` in the build. The page then points the element there:
 * `<cnn-visualizer model-url="/cnn/cnn.json" wasm-path="/cnn/">`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';
import { CNN_BASE } from './base.ts';

export function cnnAssets(): Plugin {
  const fromApp = createRequire(import.meta.url);
  const fromPackage = createRequire(fromApp.resolve('cnn-visualizer/package.json'));
  const files = {
    'cnn.json': fromApp.resolve('cnn-visualizer/cdn/cnn.json'),
    'cnn.onnx': fromApp.resolve('cnn-visualizer/cdn/cnn.onnx'),
    'ort-wasm-simd-threaded.wasm': fromPackage.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
  };
  return {
    name: 'cnn-visualizer-assets',
    apply: 'build',
    generateBundle() {
      for (const [name, path] of Object.entries(files))
        this.emitFile({ type: 'asset', fileName: `${CNN_BASE.slice(1)}${name}`, source: readFileSync(path) });
    },
  };
}
