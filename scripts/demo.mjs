#!/usr/bin/env node
// `npm start`: builds what is missing (the element's drop-in bundle, the demo site, Storybook), then
// starts the server with the demo site on the embedded database (PGlite in .data/), printing the URL.
// Environment variables (PORT, HOST, DATABASE_URL, …) pass through; see packages/server/README.md.
// REBUILD=1 rebuilds everything first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const steps = [
  [
    'the <cnn-visualizer> bundle',
    'packages/cnn-viz-element/dist/cdn/cnn-visualizer.min.js',
    'packages/cnn-viz-element',
    'build',
  ],
  ['the demo site', 'packages/docs/dist/site/index.html', 'packages/docs', 'build:site'],
  ['the Storybook docs', 'packages/docs/dist/docs/index.html', 'packages/docs', 'build:storybook'],
];
for (const [what, output, workspace, script] of steps) {
  if (existsSync(`${root}${output}`) && !process.env.REBUILD) continue;
  console.log(`building ${what} (once)…`);
  const r = spawnSync('npm', ['run', '--silent', script, '-w', workspace], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const server = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
  cwd: `${root}packages/server`,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
