// Copies the shipped models (each one's cnn.json, cnn.onnx, and the training checkpoints its cnn.json lists:
// LeNet-5 at the top, the small VGG in small-vgg/) and onnxruntime-web's wasm next to the drop-in bundle
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
const files = [[join(ortDist, 'ort-wasm-simd-threaded.wasm'), 'ort-wasm-simd-threaded.wasm']];
// each shipped model: cnn.json, its ONNX file and the training checkpoints it lists (fetched only when
// a reader scrubs the "training" slider); LeNet-5 at the top (the element's default), others in a folder
const models = [
  ['model', ''],
  ['model/small-vgg', 'small-vgg/'],
];
for (const [source, target] of models) {
  const from = join(pkg, '../..', source);
  const description = JSON.parse(readFileSync(join(from, 'cnn.json'), 'utf8'));
  const onnx = [description.onnx, ...(description.checkpoints ?? []).map((c) => c.onnx)];
  for (const name of ['cnn.json', ...new Set(onnx)]) files.push([join(from, name), target + name]);
}
const dir = join(pkg, 'dist/cdn');
for (const [from, name] of files) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  copyFileSync(from, join(dir, name));
}
console.log(`copied ${files.map(([, n]) => n).join(', ')} to dist/cdn/`);
