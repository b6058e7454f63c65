/** The element package as the site, the host apps and the package test use it: built, up to date. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './server.ts';

export const ELEMENT = join(REPO, 'packages/cnn-viz-element');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/**
 * Builds the element (`npm run build -w packages/cnn-viz-element`: dist/, the drop-in in dist/cdn/,
 * custom-elements.json) unless a build newer than its sources, its build files and the model is there
 * (`npm test` builds it before this suite).
 */
export function ensureElementBuilt(): void {
  const built = [join(ELEMENT, 'dist/index.js'), join(ELEMENT, 'dist/cdn/cnn-visualizer.min.js')];
  const sources = [
    ...['src', 'package.json', 'rollup.config.mjs', 'scripts/copy-assets.mjs'].map((f) => join(ELEMENT, f)),
    join(REPO, 'model/cnn.json'),
    join(REPO, 'model/cnn.onnx'),
  ];
  if (built.every(existsSync) && Math.min(...built.map(newest)) >= Math.max(...sources.map(newest))) return;
  const r = spawnSync('npm', ['run', '--silent', 'build', '-w', 'packages/cnn-viz-element'], {
    cwd: REPO,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`the element's build failed (exit ${r.status})`);
}
