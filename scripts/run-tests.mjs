#!/usr/bin/env node
// `npm test`: runs every suite of the monorepo in turn, shows each one's own output, and ends with
// one line "N passed, N failed" summed over all suites (CI prints it last). Exit code 1 if any failed.
//
// Suites:
//   - node:test files (`test/*.test.ts`) of each package, run through tsx, counted from a TAP report;
//   - the element's browser tests (web-test-runner in Debian's Chromium), counted by a reporter;
//   - the build of the drop-in bundle and the demo site (what the server serves), counted as one test;
//   - lint (ESLint + Prettier + tsc), counted as one test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'cnn-tests-'));
const results = [];

function nodeSuite(name, dir) {
  const testDir = join(root, dir, 'test');
  if (!existsSync(testDir)) return;
  const files = readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join('test', f));
  if (files.length === 0) return;
  const tap = join(tmp, `${name.replace(/\W+/g, '-')}.tap`);
  console.log(`\n━━ ${name} (${files.length} files) ━━`);
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { cwd: join(root, dir), stdio: 'inherit', env: process.env },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if (r.status !== 0 && failed === 0) failed = 1; // the runner itself failed (crash, bad import)
  results.push({ name, passed, failed });
}

function browserSuite(name, dir) {
  const summary = join(tmp, `${name.replace(/\W+/g, '-')}.json`);
  console.log(`\n━━ ${name} ━━`);
  const r = spawnSync('npx', ['wtr', '--config', 'web-test-runner.config.mjs'], {
    cwd: join(root, dir),
    stdio: 'inherit',
    env: { ...process.env, WTR_SUMMARY_FILE: summary },
  });
  const counts = existsSync(summary) ? JSON.parse(readFileSync(summary, 'utf8')) : { passed: 0, failed: 0 };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ name, ...counts });
}

function commandSuite(name, cmd, args) {
  console.log(`\n━━ ${name} ━━`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  results.push({ name, passed: r.status === 0 ? 1 : 0, failed: r.status === 0 ? 0 : 1 });
}

nodeSuite('model', 'model');
nodeSuite('cnn-viz-element (node)', 'packages/cnn-viz-element');
browserSuite('cnn-viz-element (Chromium)', 'packages/cnn-viz-element');
commandSuite('build (element + site)', 'npm', ['run', '--silent', 'build:served']);
nodeSuite('server', 'packages/server');
nodeSuite('site, embedding, docs, deploy', 'packages/docs');
commandSuite('lint', 'npm', ['run', '--silent', 'lint']);

rmSync(tmp, { recursive: true, force: true });
console.log('\n━━ summary ━━');
for (const r of results) console.log(`${r.name.padEnd(28)} ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
