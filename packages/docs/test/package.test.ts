// The element's npm package as a user gets it: `npm pack` of a fresh build, checked for what it ships
// (each file once, no dead chunks, no source maps of the drop-in) and its size; then installed into an
// empty project outside the workspace (dependencies from the npm cache, else the registry), where Node
// imports the DOM-free subpaths and Chromium runs the installed drop-in, which must find the model and
// onnxruntime's wasm next to itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launch, watchErrors } from './helpers/browser.ts';
import { ELEMENT, ensureElementBuilt } from './helpers/element-build.ts';
import { mnistDigit } from './helpers/mnist.ts';
import { REPO } from './helpers/server.ts';

/**
 * Limits, with room for growth: today 5.2 MB packed, 17.4 MB unpacked (was 9.5 / 36.4 MB; 4.5 / 16.7
 * before LeNet-5's seven training checkpoints, ≈ 0.9 MB, and the small VGG, 75 KB, shipped beside it).
 */
const MAX_PACKED = 6 * 1024 * 1024;
const MAX_UNPACKED = 20 * 1024 * 1024;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

const work = mkdtempSync(join(tmpdir(), 'cnn-package-'));
const project = join(work, 'project');
let pack: PackResult;

before(() => {
  ensureElementBuilt();
  pack = (
    JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: ELEMENT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as PackResult[]
  )[0];
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack of cnn-visualizer', () => {
  it(`is at most ${MAX_PACKED / 2 ** 20} MB packed and ${MAX_UNPACKED / 2 ** 20} MB unpacked`, () => {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(2)} MB`;
    console.log(
      `# tarball ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked, ${pack.files.length} files`,
    );
    assert.ok(pack.size <= MAX_PACKED, `packed ${mb(pack.size)}`);
    assert.ok(pack.unpackedSize <= MAX_UNPACKED, `unpacked ${mb(pack.unpackedSize)}`);
  });

  it('ships the model and the wasm once, beside the drop-in, and no source map of the drop-in', () => {
    const paths = pack.files.map((f) => f.path);
    // each shipped model's files once: LeNet-5 beside the drop-in, the small VGG in its folder
    for (const name of ['cnn.json', 'cnn.onnx'])
      assert.deepEqual(
        paths.filter((p) => basename(p) === name),
        [`dist/cdn/${name}`, `dist/cdn/small-vgg/${name}`],
      );
    assert.deepEqual(
      paths.filter((p) => basename(p) === 'ort-wasm-simd-threaded.wasm'),
      ['dist/cdn/ort-wasm-simd-threaded.wasm'],
    );
    // and the training checkpoints cnn.json lists (its last is cnn.onnx itself), once each
    const listed = (
      JSON.parse(readFileSync(join(REPO, 'model/cnn.json'), 'utf8')) as { checkpoints: { onnx: string }[] }
    ).checkpoints
      .map((c) => c.onnx)
      .filter((f) => f !== 'cnn.onnx');
    assert.deepEqual(
      paths.filter((p) => p.includes('/checkpoints/')).sort(),
      listed.map((f) => `dist/cdn/${f}`).sort(),
    );
    assert.deepEqual(
      paths.filter((p) => p.startsWith('dist/cdn/') && p.endsWith('.map')),
      [],
    );
    assert.deepEqual(
      paths.filter((p) => p.endsWith('.wasm')),
      ['dist/cdn/ort-wasm-simd-threaded.wasm'],
      'one wasm only',
    );
    for (const p of ['LICENSE', 'README.md', 'custom-elements.json', 'dist/index.js', 'dist/index.d.ts'])
      assert.ok(paths.includes(p), p);
    // the ESM build's maps point at ../src: the sources they name are in the package
    const map = JSON.parse(readFileSync(join(ELEMENT, 'dist/index.js.map'), 'utf8')) as { sources: string[] };
    for (const s of map.sources) assert.ok(paths.includes(join('dist', s)), s);
  });

  it('has no dead chunks: every chunk of the drop-in is named after one of our modules or what they import()', () => {
    // rollup names a chunk after its main module (an index.ts after its folder); Babylon's own
    // import()s (texture loaders, …) would bring chunks named after Babylon's modules
    // (import('onnx-proto') gives a chunk named after its dist/onnx.js, like our src/onnx/ folder)
    const ours = new Set<string>(['ort.wasm.bundle.min']); // import('onnxruntime-web/wasm')
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) {
          ours.add(e.name);
          walk(join(dir, e.name));
        } else if (e.name.endsWith('.ts')) ours.add(e.name.replace(/\.ts$/, ''));
    };
    walk(join(ELEMENT, 'src'));
    const chunks = pack.files.map((f) => f.path).filter((p) => p.startsWith('dist/cdn/chunks/'));
    assert.ok(chunks.length > 0);
    for (const c of chunks) {
      const name = basename(c).replace(/-[\w-]{8}\.js$/, '');
      assert.ok(
        ours.has(name),
        `${c} is not named after one of the element's modules (a Babylon import() left in?)`,
      );
    }
  });
});

describe('the tarball installed into an empty project', () => {
  before(() => {
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'a-course-site', private: true, type: 'module' }),
    );
    // dependencies come from the npm cache `npm ci` filled, or from the registry
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        join(work, pack.filename),
      ],
      { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });

  it('Node imports the DOM-free subpaths from it and they work', () => {
    const script = `
      import { preprocess } from 'cnn-visualizer/preprocess';
      import * as protocol from 'cnn-visualizer/protocol';
      import { validateDescription } from 'cnn-visualizer/description';
      import { readEmbedOptions } from 'cnn-visualizer/embed-options';
      import { readFileSync } from 'node:fs';
      const resolved = {
        main: import.meta.resolve('cnn-visualizer'),
        preprocess: import.meta.resolve('cnn-visualizer/preprocess'),
        dropIn: import.meta.resolve('cnn-visualizer/cdn/cnn-visualizer.min.js'),
      };
      // a 20×10 block of ink off-centre in a 60×40 image
      const data = new Uint8Array(60 * 40);
      for (let y = 4; y < 14; y++) for (let x = 5; x < 25; x++) data[y * 60 + x] = 255;
      const p = preprocess({ width: 60, height: 40, data });
      const blank = preprocess({ width: 60, height: 40, data: new Uint8Array(60 * 40) });
      const frame = protocol.decodeClientFrame(protocol.encodeInferRequest(41, p.pixels));
      const result = protocol.decodeServerFrame(
        protocol.encodeResult(41, 3, [Float32Array.of(0.25, -1.5)], protocol.Encoding.Float32),
      );
      const json = JSON.parse(readFileSync(new URL(resolved.dropIn.replace('cnn-visualizer.min.js', 'cnn.json')), 'utf8'));
      let invalid = '';
      try { validateDescription({ layers: [] }); } catch (e) { invalid = e.message; }
      console.log(JSON.stringify({
        resolved,
        pixels: Array.from(p.pixels), empty: p.empty, blankEmpty: blank.empty,
        frame: { id: frame.id, same: frame.pixels.every((v, i) => v === p.pixels[i]) },
        result: { type: result.type, id: result.id, prediction: result.prediction, layers: result.layers.map((l) => Array.from(l)) },
        layers: validateDescription(json).layers.length, jsonLayers: json.layers.length, invalid,
        embed: readEmbedOptions(new URLSearchParams('backend=ws&theme=dark&evil=1')),
      }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: project,
        encoding: 'utf8',
      }),
    );
    const installed = join(project, 'node_modules/cnn-visualizer/');
    for (const url of Object.values(out.resolved) as string[])
      assert.ok(new URL(url).pathname.startsWith(installed), `${url} resolves inside the installed package`);
    assert.ok(existsSync(new URL(out.resolved.main)), 'the main entry exists');

    // the preprocessed block: 784 bytes, its centre of mass at (14, 14) give or take a pixel
    assert.equal(out.empty, false);
    assert.equal(out.blankEmpty, true);
    assert.equal(out.pixels.length, 784);
    let m = 0;
    let mx = 0;
    let my = 0;
    out.pixels.forEach((v: number, i: number) => {
      m += v;
      mx += v * ((i % 28) + 0.5);
      my += v * (Math.floor(i / 28) + 0.5);
    });
    assert.ok(Math.abs(mx / m - 14) <= 1 && Math.abs(my / m - 14) <= 1, `centre ${mx / m}, ${my / m}`);

    assert.deepEqual(out.frame, { id: 41, same: true });
    assert.deepEqual(out.result, { type: 'result', id: 41, prediction: 3, layers: [[0.25, -1.5]] });
    assert.equal(out.layers, out.jsonLayers);
    assert.match(out.invalid, /invalid model description/);
    assert.deepEqual(out.embed, { backend: 'server', theme: 'dark', tour: 'auto' });
  });

  it('Chromium runs the installed drop-in, which finds the model and the wasm next to itself', async () => {
    const cdn = join(project, 'node_modules/cnn-visualizer/dist/cdn');
    const types: Record<string, string> = {
      '.js': 'text/javascript',
      '.json': 'application/json',
      '.wasm': 'application/wasm',
      '.onnx': 'application/octet-stream',
    };
    const page$ = `<!doctype html><title>A course page</title><link rel="icon" href="data:,">
      <script type="module" src="/vendor/cnn-visualizer/cnn-visualizer.min.js"></script>
      <cnn-visualizer loading="eager" tour="off"></cnn-visualizer>`;
    const served: string[] = [];
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page$);
      const file = normalize(join(cdn, path.replace(/^\/vendor\/cnn-visualizer\//, '')));
      if (!path.startsWith('/vendor/cnn-visualizer/') || !file.startsWith(cdn) || !existsSync(file))
        return res.writeHead(404).end();
      served.push(path);
      res
        .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      const prediction = await page.evaluate(
        async (pixels) => {
          await customElements.whenDefined('cnn-visualizer');
          const el = document.querySelector('cnn-visualizer') as HTMLElement & {
            setInput(p: number[]): Promise<{ prediction: number }>;
          };
          return (await el.setInput(pixels)).prediction;
        },
        Array.from(mnistDigit(7)),
      );
      assert.equal(prediction, 7, "MNIST's first test 7");
      for (const f of ['cnn.json', 'cnn.onnx', 'ort-wasm-simd-threaded.wasm'])
        assert.ok(served.includes(`/vendor/cnn-visualizer/${f}`), `${f} fetched from beside the bundle`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
});
