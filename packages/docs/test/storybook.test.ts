// Storybook: it builds without errors into dist/docs (where the server serves it, at /docs/), it lists a
// story per feature and the usage pages, and its stories run the real element under the server's CSP.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, watchErrors } from './helpers/browser.ts';
import { REPO, startServer, type RunningServer } from './helpers/server.ts';

const DOCS = join(REPO, 'packages/docs');
let build: ReturnType<typeof spawnSync>;
let server: RunningServer;
let browser: Browser;

before(async () => {
  build = spawnSync('npm', ['run', '--silent', 'build:storybook'], {
    cwd: DOCS,
    encoding: 'utf8',
    env: process.env,
  });
  [server, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Storybook', () => {
  it('builds without errors', () => {
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
    assert.doesNotMatch(String(build.stderr), /\bERR!|\berror\b/i);
  });

  it('has a story per feature, autodocs and the usage pages', () => {
    const index = JSON.parse(readFileSync(join(DOCS, 'dist/docs/index.json'), 'utf8'));
    const ids = Object.keys(index.entries);
    for (const story of [
      'default',
      'server-backend',
      'custom-backend',
      'themes-and-parts',
      'sizes',
      'lazy-loading',
      'several-on-one-page',
      'events-log',
      'reduced-motion',
      'explanations-and-saliency',
      'authoring',
      'small-vgg',
    ])
      assert.ok(ids.includes(`element-cnn-visualizer--${story}`), `story ${story}`);
    assert.ok(ids.includes('element-cnn-visualizer--docs'), 'autodocs page');
    for (const page of ['plain-html', 'react', 'vue', 'markdown-blog', 'notion-and-lms-pages'])
      assert.ok(
        ids.some((id) => id.startsWith(`usage-${page}--`)),
        `usage page ${page} (have: ${ids.filter((i) => i.startsWith('usage')).join(', ')})`,
      );
  });

  it('is served at /docs/, and a story runs the real element there without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/docs/iframe.html?id=element-cnn-visualizer--events-log&viewMode=story`);
    await page.locator('cnn-visualizer [part=samples] button').first().waitFor({ timeout: 60_000 });
    await page.locator('pre').filter({ hasText: 'cnn-ready' }).waitFor({ timeout: 60_000 });
    await page.locator('cnn-visualizer [part=samples] button[title="Try a handwritten 2"]').click();
    await page
      .locator('pre')
      .filter({ hasText: 'cnn-prediction  prediction=2' })
      .waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, []);
    // the manager UI loads too
    const manager = await browser.newPage();
    const managerErrors = watchErrors(manager);
    await manager.goto(`${server.url}/docs/`);
    await manager.locator('#storybook-explorer-tree').waitFor({ timeout: 30_000 });
    assert.deepEqual(managerErrors, []);
    await page.close();
    await manager.close();
  });
});
