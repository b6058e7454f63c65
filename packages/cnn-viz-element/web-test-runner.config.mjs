// Browser tests run in Debian's Chromium (never a downloaded browser), WebGL on SwiftShader.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { writeFileSync } from 'node:fs';
import { defaultReporter } from '@web/test-runner';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { onnxProtoAsEsm } from './test/helpers/onnx-proto-esm.mjs';

/** Writes {passed, failed} to $WTR_SUMMARY_FILE so the root `npm test` can sum all suites. */
function summaryFileReporter() {
  return {
    onTestRunFinished({ sessions }) {
      const file = process.env.WTR_SUMMARY_FILE;
      if (!file) return;
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const t of suite.tests ?? []) {
          if (t.skipped) continue;
          if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite.suites ?? []) walk(s);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        // a file that failed to load or threw outside a test counts as one failure
        if (!session.passed && (session.errors?.length || !session.testResults)) failed++;
      }
      writeFileSync(file, JSON.stringify({ passed, failed }));
    },
  };
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  rootDir: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [
    // the lazy ONNX reader's protobuf code is CommonJS: served as one ES module
    onnxProtoAsEsm(),
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
  ],
  concurrency: 1,
  reporters: [defaultReporter(), summaryFileReporter()],
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 60_000 } },
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
};
