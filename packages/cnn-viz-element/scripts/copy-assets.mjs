// Copies the model (cnn.json, cnn.onnx, and the training checkpoints cnn.json lists) and onnxruntime-web's wasm next to the drop-in bundle
// (dist/cdn/), where its defaults look for them and where the server serves them at /cdn/. Only there:
// the ESM build in dist/ is for bundlers, whose output never sits next to these files anyway; they take
// the model from `cnn-visualizer/cdn/` and the wasm from their own `onnxruntime-web`, the same version
// as the ORT JavaScript they bundle (see the README). Each file ships once in the npm package.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
// the package's main file lives in its dist/ folder, next to the wasm
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const files = [
  [join(pkg, '../../model/cnn.json'), 'cnn.json'],
  [join(pkg, '../../model/cnn.onnx'), 'cnn.onnx'],
  [join(ortDist, 'ort-wasm-simd-threaded.wasm'), 'ort-wasm-simd-threaded.wasm'],
];
// the moments of training the "training" slider shows (fetched only when a reader scrubs)
const description = JSON.parse(readFileSync(join(pkg, '../../model/cnn.json'), 'utf8'));
for (const c of description.checkpoints ?? [])
  if (c.onnx !== description.onnx) files.push([join(pkg, '../../model', c.onnx), c.onnx]);
const dir = join(pkg, 'dist/cdn');
for (const [from, name] of files) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  copyFileSync(from, join(dir, name));
}
console.log(`copied ${files.map(([, n]) => n).join(', ')} to dist/cdn/`);
