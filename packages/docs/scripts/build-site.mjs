// Builds the demo site into dist/site: the pages' scripts bundled with esbuild (lit included; the
// <cnn-visualizer> element itself comes from /cdn/, the same drop-in any page uses), HTML and static files copied.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here('../dist/site/');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    home: here('../site/src/home.ts'),
    gallery: here('../site/src/gallery-page.ts'),
    embed: here('../site/src/embed.ts'),
  },
  outdir: `${out}assets`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const f of readdirSync(here('../site/')).filter((f) => f.endsWith('.html')))
  cpSync(here(`../site/${f}`), `${out}${f}`);
cpSync(here('../site/public/'), out, { recursive: true });
console.log(`site built in ${out}`);
