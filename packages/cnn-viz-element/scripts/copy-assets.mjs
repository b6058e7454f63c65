// Copies the model (cnn.json, cnn.onnx) and onnxruntime-web's wasm next to the builds, where the
// element looks for them by default: dist/ (the ESM build) and dist/cdn/ (the drop-in bundle).
import { copyFileSync, mkdirSync } from 'node:fs';
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
for (const dir of ['dist', 'dist/cdn']) {
  mkdirSync(join(pkg, dir), { recursive: true });
  for (const [from, name] of files) copyFileSync(from, join(pkg, dir, name));
}
console.log(`copied ${files.map(([, n]) => n).join(', ')} to dist/ and dist/cdn/`);
