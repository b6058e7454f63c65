// The drop-in bundle: `dist/cdn/cnn-visualizer.min.js` defines <cnn-visualizer> with no build step on
// the page. Babylon (the 3D view) and onnxruntime-web (local inference) are split into chunks that
// load only when needed, so a page on the server backend never downloads the runtime. The model and
// ORT's wasm are copied beside it by scripts/copy-assets.mjs (the element's defaults point there).
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/**
 * Babylon loads a few features through `import()`, and rollup makes a chunk of each even when nothing
 * can reach it. These are reachable only from textures loaded from files (.dds, .env, .ktx, .basis,
 * .hdr, .tga, .exr, .ies), prefiltered environment cube textures and `AbstractMesh.optimizeIndicesAsync`;
 * the element draws one ShaderMaterial with no texture and calls none of them. Each cut `import()`
 * becomes a rejected promise with a clear message, so the drop-in ships no dead chunks (there were 15,
 * 106 KB of JavaScript and 0.5 MB of maps). A listed file that no longer has such an import is reported
 * as a warning; a new Babylon chunk fails the package test (packages/docs/test/package.test.ts).
 */
export const UNREACHABLE_BABYLON_IMPORTS = {
  'Materials/Textures/Loaders/textureLoaderManager.js': /^\.\/\w+TextureLoader\.js$/,
  'Engines/Extensions/engine.prefilteredCubeTexture.pure.js': /\/dds\.pure\.js$/,
  'Meshes/abstractMesh.pure.js': /^\.\/mesh\.vertexData\.functions\.js$/,
};

function cutUnreachableBabylonImports() {
  const files = Object.keys(UNREACHABLE_BABYLON_IMPORTS);
  return {
    name: 'cut-unreachable-babylon-imports',
    transform(code, id) {
      const file = files.find((f) => id.replaceAll('\\', '/').endsWith(`/@babylonjs/core/${f}`));
      if (!file) return null;
      const target = UNREACHABLE_BABYLON_IMPORTS[file];
      let n = 0;
      const out = code.replace(/\bimport\((["'])([^"']+)\1\)/g, (all, _q, spec) => {
        if (!target.test(spec)) return all;
        n++;
        const what = JSON.stringify(
          `cnn-visualizer's bundle leaves out Babylon's ${spec} (unused by the element)`,
        );
        return `Promise.reject(new Error(${what}))`;
      });
      if (n === 0) this.warn(`no import() matching ${target} in @babylonjs/core/${file}: update the list`);
      // the cut lines have no original to map to; the rest of these three files loses its mappings too
      return { code: out, map: { mappings: '' } };
    },
  };
}

export default {
  input: 'src/define.ts',
  // The element's code must stay in cnn-visualizer.min.js: its defaults find the model and the wasm
  // next to the module that holds them (import.meta.url). With a strict entry signature, rollup moves
  // everything the entry shares with a lazy chunk into chunks/index-*.js and leaves a one-line facade,
  // so the defaults pointed into chunks/. Letting rollup add exports to the entry keeps the code there.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist/cdn',
    format: 'es',
    entryFileNames: 'cnn-visualizer.min.js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
  },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
    commonjs(),
    cutUnreachableBabylonImports(),
    typescript({
      tsconfig: './tsconfig.build.json',
      outDir: 'dist/cdn',
      declaration: false,
      declarationMap: false,
      sourceMap: true,
    }),
    terser({ format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    // onnxruntime-web uses eval-free dynamic code paths rollup flags; Babylon has benign circular imports
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'EVAL') return;
    warn(warning);
  },
};
