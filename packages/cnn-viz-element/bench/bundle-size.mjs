// What a page downloads, gzip -9, from the built drop-in (run `npm run build` first): the entry script,
// the chunks it loads when the element scrolls into view, and what the in-page backend adds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../dist/cdn/', import.meta.url));
if (!existsSync(dir)) throw new Error('build the element first: npm run build -w packages/cnn-viz-element');
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const chunk = (prefix) => {
  const f = readdirSync(`${dir}chunks`).find((n) => n.startsWith(prefix) && n.endsWith('.js'));
  if (!f) throw new Error(`no chunk ${prefix}*`);
  return gz(`${dir}chunks/${f}`);
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const entry = gz(`${dir}cnn-visualizer.min.js`);
const view = chunk('network-view-') + chunk('steps-') + chunk('tour-player-');
const ort = chunk('ort.wasm.bundle.min-');
const wasm = gz(`${dir}ort-wasm-simd-threaded.wasm`);
const model = gz(`${dir}cnn.onnx`);
console.log('| what a page downloads | gzip |\n|---|---:|');
console.log(`| cnn-visualizer.min.js (with the script tag) | ${kb(entry)} |`);
console.log(`| + 3D view and tour chunks (when the element scrolls into view) | ${kb(view)} |`);
console.log(`| = the element without ORT (goal ≤ 300 KB, 250 KB) | ${kb(entry + view)} |`);
console.log(`| + onnxruntime-web JS (in-page backend only) | ${kb(ort)} |`);
console.log(`| + ORT wasm (in-page backend only) | ${kb(wasm)} |`);
console.log(`| + cnn.onnx (in-page backend only) | ${kb(model)} |`);
