/**
 * `npm run compare -w model -- DIR [OTHER]`: checks that a training run written elsewhere
 * (`npm run train -w model -- --out DIR`) reproduced the shipped files: the same bytes for cnn.onnx
 * and for every checkpoint, and the same accuracies, as OTHER (default: model/). Exits 1 otherwise.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelMetadata } from '../metadata.ts';
import { MODEL_DIR } from '../paths.ts';

const [dir, other = MODEL_DIR] = process.argv.slice(2);
if (!dir) throw new Error('usage: compare DIR [OTHER]');
const read = (d: string): ModelMetadata => JSON.parse(readFileSync(join(d, 'cnn.json'), 'utf8'));
const hash = (d: string, file: string) =>
  existsSync(join(d, file))
    ? createHash('sha256')
        .update(readFileSync(join(d, file)))
        .digest('hex')
        .slice(0, 16)
    : 'missing';
const [a, b] = [read(dir), read(other)];
const entries = (m: ModelMetadata) =>
  (m.checkpoints ?? [{ step: -1, onnx: m.onnx, testAccuracy: m.metrics.testAccuracy }]).map(
    (c) => `${c.step} ${c.onnx} ${c.testAccuracy}`,
  );
let same = JSON.stringify(entries(a)) === JSON.stringify(entries(b));
if (!same)
  console.log(`the checkpoint lists differ:\n  ${entries(a).join('\n  ')}\nvs\n  ${entries(b).join('\n  ')}`);
const files = [
  ...new Set(
    [a.onnx, b.onnx, ...(a.checkpoints ?? []), ...(b.checkpoints ?? [])].map((c) =>
      typeof c === 'string' ? c : c.onnx,
    ),
  ),
];
for (const f of files) {
  const [ha, hb] = [hash(dir, f), hash(other, f)];
  console.log(`${ha === hb ? 'same     ' : 'DIFFERENT'}  ${f}  ${ha}${ha === hb ? '' : ` vs ${hb}`}`);
  if (ha !== hb) same = false;
}
console.log(same ? `${dir} reproduces ${other}` : `${dir} does NOT reproduce ${other}`);
process.exitCode = same ? 0 : 1;
