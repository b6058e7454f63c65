// The drop-in bundle: `dist/cdn/cnn-visualizer.min.js` defines <cnn-visualizer> with no build step on
// the page. Babylon (the 3D view) and onnxruntime-web (local inference) are split into chunks that
// load only when needed, so a page on the server backend never downloads the runtime. The model and
// ORT's wasm are copied beside it by scripts/copy-assets.mjs (the element's defaults point there).
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
export default {
  input: 'src/index.ts',
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
