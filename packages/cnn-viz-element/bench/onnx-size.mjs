// What reading an .onnx in the page costs, gzip -9: cnn-visualizer/onnx bundled by esbuild with code
// splitting, as a page's bundler would (rollup's drop-in build gives the same split, within ~3%):
// the reader itself, and onnx-proto + protobufjs, which the reader imports lazily on the first decode.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/onnx/index.ts', import.meta.url));
const result = await build({
  entryPoints: [entry],
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  platform: 'browser',
  outdir: 'out',
  write: false,
  logLevel: 'silent',
});
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sizes = result.outputFiles.map((f) => ({
  name: f.path.split('/').pop(),
  min: f.contents.length,
  gz: gzipSync(f.contents, { level: 9 }).length,
}));
const proto = sizes.find((s) => s.name.startsWith('onnx-'));
const reader = sizes.filter((s) => s !== proto);
const sum = (xs, k) => xs.reduce((a, s) => a + s[k], 0);
console.log('| cnn-visualizer/onnx (esbuild, minified) | min | gzip |\n|---|---:|---:|');
console.log(
  `| the reader: derive, weights, expose, sha-256 | ${kb(sum(reader, 'min'))} | ${kb(sum(reader, 'gz'))} |`,
);
console.log(`| + onnx-proto & protobufjs (lazy, on the first decode) | ${kb(proto.min)} | ${kb(proto.gz)} |`);
