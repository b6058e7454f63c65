// A web-test-runner / @web/dev-server plugin: serves `onnx-proto` (CommonJS, protobufjs) as one ES
// module bundled by esbuild, so browser tests can run the lazy `import('onnx-proto')` of
// cnn-visualizer/onnx. The dev server transforms files one by one and cannot run CommonJS; rollup's
// commonjs plugin, used file by file there, trips on protobufjs's circular requires
// (minimal.js ↔ longbits.js). Rollup builds and esbuild bundles need nothing: they bundle it whole.
//
//   import { onnxProtoAsEsm } from './test/helpers/onnx-proto-esm.mjs';
//   export default { plugins: [onnxProtoAsEsm(), esbuildPlugin({ ts: true })], … };
import { build } from 'esbuild';
import { createRequire } from 'node:module';

export function onnxProtoAsEsm() {
  const entry = createRequire(import.meta.url).resolve('onnx-proto');
  let bundled;
  return {
    name: 'onnx-proto-as-esm',
    async serve(context) {
      if (!context.path.endsWith('/onnx-proto/dist/onnx.js')) return undefined;
      bundled ??= build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      }).then((r) => r.outputFiles[0].text);
      return { body: await bundled, type: 'js' };
    },
  };
}
