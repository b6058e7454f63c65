#!/usr/bin/env node
// `npm start`: builds the element's drop-in bundle if it is missing, then starts the server with the
// demo site on the embedded database (PGlite in .data/), printing the URL. Environment variables
// (PORT, HOST, DATABASE_URL, …) pass through; see packages/server/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}packages/cnn-viz-element/dist/cdn/cnn-visualizer.min.js`;
if (!existsSync(bundle) || process.env.REBUILD) {
  console.log('building the <cnn-visualizer> bundle (once)…');
  const r = spawnSync('npm', ['run', '--silent', 'build', '-w', 'packages/cnn-viz-element'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const server = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
  cwd: `${root}packages/server`,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
