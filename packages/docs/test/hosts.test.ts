// Real host pages: a React 19 app and a Vue 3 app (test/hosts/), each built with Vite as a bundler
// user of the `cnn-visualizer` package builds it, served by `vite preview` and driven in Chromium with
// the real model. Each renders two visualisers in a keyed list (A on `backend="local"`, B on its own
// backend object: the package's LocalOnnxBackend, counted), reorders and hides them, binds `theme`,
// `tour` and `backend`, and listens to `cnn-ready` and `cnn-prediction` the framework's way (React 19:
// `oncnn-prediction`; Vue: `@cnn-prediction`). The app shows what its listeners heard; the test reads it
// there. Expected digits are MNIST's own labels. Console errors are checked after every test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { launch, watchErrors } from './helpers/browser.ts';
import { ensureElementBuilt } from './helpers/element-build.ts';
import { mnistDigit } from './helpers/mnist.ts';

const HOSTS = fileURLToPath(new URL('./hosts/', import.meta.url));
const LOAD = 120_000; // the first start fetches and compiles Babylon, ORT's wasm and the model

type Id = 'a' | 'b';
interface HostApp {
  url: string;
  close(): Promise<void>;
}

/** One production build per app, reused by its tests. */
async function buildAndServe(name: 'react' | 'vue'): Promise<HostApp> {
  const root = join(HOSTS, name);
  const configFile = join(root, 'vite.config.ts');
  const outDir = mkdtempSync(join(tmpdir(), `cnn-host-${name}-`));
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true },
  });
  const url = server.resolvedUrls?.local[0];
  assert.ok(url, 'vite preview listens');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

let browser: Browser;
before(async () => {
  ensureElementBuilt();
  browser = await launch();
});
after(() => browser?.close());

/**
 * One page per app for all its tests, in order (each page load starts Babylon, onnxruntime and the
 * model twice, which SwiftShader on a shared CI core makes slow); console errors are checked per test.
 */
interface OpenApp {
  page: Page;
  errors: string[];
}
async function openApp(app: HostApp): Promise<OpenApp> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  page.setDefaultTimeout(LOAD);
  const errors = watchErrors(page);
  await page.goto(app.url);
  return { page, errors };
}
/** Runs one test's steps on the app's page, then asserts that they logged no error. */
async function step(open: OpenApp, body: (page: Page) => Promise<void>) {
  open.errors.length = 0;
  await body(open.page);
  assert.deepEqual(open.errors, [], 'no console errors');
}

const item = (id: Id) => `li[data-id="${id}"]`;

/**
 * Presses one of the app's buttons. Its click handler runs as with a mouse click, but in one round
 * trip: two visualisers rendering on SwiftShader keep a busy CI core's main thread so occupied that
 * Playwright's click (scroll, hit test, wait for navigations) can take longer than its timeout.
 */
const press = (page: Page, button: string) =>
  page.evaluate((sel) => document.querySelector<HTMLButtonElement>(sel)!.click(), button);
/** How many times the app's own `cnn-ready` listener fired for an item. */
const readyCount = (page: Page, id: Id) =>
  page.$eval(`${item(id)} .ready`, (r) => Number(r.getAttribute('data-count')));

/** What the app's own `cnn-ready` listener recorded for an item. */
async function ready(page: Page, id: Id, times = 1): Promise<string> {
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(`${sel} .ready`)?.getAttribute('data-count')) >= n,
    [item(id), times] as const,
    { timeout: LOAD },
  );
  return (await page.locator(`${item(id)} .ready`).textContent()) ?? '';
}

/**
 * Gives an item's element an MNIST digit through `setInput()`, checks what it returns, then waits
 * until the app's `cnn-prediction` listener has shown that prediction.
 */
async function classify(page: Page, id: Id, label: number) {
  const out = page.locator(`${item(id)} .prediction`);
  const before = Number(await out.getAttribute('data-count'));
  const returned = await page.evaluate(
    async ([sel, pixels]) => {
      const el = document.querySelector(`${sel} cnn-visualizer`) as HTMLElement & {
        setInput(p: number[]): Promise<{ prediction: number }>;
      };
      return (await el.setInput(pixels)).prediction;
    },
    [item(id), Array.from(mnistDigit(label))] as const,
  );
  assert.equal(returned, label, `setInput() on ${id} classifies MNIST's ${label}`);
  await page.waitForFunction(
    ([sel, n, text]) => {
      const o = document.querySelector(`${sel} .prediction`);
      return Number(o?.getAttribute('data-count')) > n && o?.textContent === text;
    },
    [item(id), before, String(label)] as const,
    { timeout: LOAD },
  );
}

const customCalls = (page: Page) => page.evaluate(() => window.hostBackends.b.calls);
/** Tags each element instance, to tell a moved element from a new one. */
const tag = (page: Page) =>
  page.$$eval('li[data-id]', (lis) =>
    lis.forEach((li) => Object.assign(li.querySelector('cnn-visualizer')!, { hostTag: li.dataset.id })),
  );
const tags = (page: Page) =>
  page.$$eval('li[data-id]', (lis) =>
    lis.map((li) => (li.querySelector('cnn-visualizer') as unknown as { hostTag?: string }).hostTag ?? null),
  );

for (const name of ['react', 'vue'] as const) {
  describe(`a ${name === 'react' ? 'React 19' : 'Vue 3'} app built with Vite`, () => {
    let app: HostApp;
    let open: OpenApp;
    before(async () => {
      app = await buildAndServe(name);
      open = await openApp(app);
    });
    after(async () => {
      await open?.page.close();
      await app?.close();
    });

    it('renders the elements; its own listeners hear cnn-ready and cnn-prediction; B runs on the backend object', () =>
      step(open, async (page) => {
        assert.equal(await ready(page, 'a'), 'local');
        assert.equal(await ready(page, 'b'), 'custom');
        await classify(page, 'a', 7);
        assert.equal(await customCalls(page), 0, 'A does not use B’s backend');
        await classify(page, 'b', 2);
        assert.equal(await customCalls(page), 1, 'B classified through its backend object');
      }));

    it('reordering the keyed list moves the same elements, and both keep classifying', () =>
      step(open, async (page) => {
        await tag(page);
        await press(page, '#reverse');
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('li[data-id]')].map((li) => li.getAttribute('data-id')).join() ===
            'b,a',
        );
        assert.deepEqual(
          await tags(page),
          ['b', 'a'],
          'the framework moved the elements, it did not recreate them',
        );
        const calls = await customCalls(page);
        await classify(page, 'a', 1);
        await classify(page, 'b', 0);
        assert.ok((await customCalls(page)) > calls, 'B still runs on its backend object');
      }));

    it('theme, tour and backend bindings take effect after the elements started', () =>
      step(open, async (page) => {
        const look = () =>
          page.$$eval('cnn-visualizer', (els) =>
            els.map((el) => ({
              theme: el.getAttribute('theme'),
              background: getComputedStyle(el).getPropertyValue('--cnn-background').trim(),
              narration: !!el.shadowRoot?.querySelector('[part~="narration"]'),
            })),
          );
        const light = await look();
        assert.deepEqual(
          light.map((l) => [l.theme, l.narration]),
          [
            ['light', false],
            ['light', false],
          ],
          'light theme, tour off',
        );

        await press(page, '#theme');
        await page.waitForFunction(() =>
          [...document.querySelectorAll('cnn-visualizer')].every((el) => el.getAttribute('theme') === 'dark'),
        );
        const dark = await look();
        for (let i = 0; i < 2; i++)
          assert.notEqual(dark[i].background, light[i].background, 'the dark theme changes the colours');

        await press(page, '#tour');
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('cnn-visualizer')].every(
              (el) =>
                (el as HTMLElement & { tour: string }).tour === 'manual' &&
                !!el.shadowRoot?.querySelector('[part~="narration"]'),
            ),
          undefined,
          { timeout: LOAD },
        );

        await press(page, '#swap-backend'); // B on backend="local"
        let calls = await customCalls(page);
        await classify(page, 'b', 1);
        assert.equal(await customCalls(page), calls, 'B left its backend object');
        await press(page, '#swap-backend'); // B on its backend object again
        calls = await customCalls(page);
        await classify(page, 'b', 4);
        assert.ok((await customCalls(page)) > calls, 'B is back on its backend object');
      }));

    it('hiding and showing the list creates new elements, which start again', () =>
      step(open, async (page) => {
        await tag(page);
        const calls = await customCalls(page);
        const readyA = await readyCount(page, 'a');
        const readyB = await readyCount(page, 'b');
        await press(page, '#toggle');
        await page.waitForFunction(() => document.querySelectorAll('cnn-visualizer').length === 0);
        await press(page, '#toggle');
        assert.equal(await ready(page, 'a', readyA + 1), 'local');
        assert.equal(await ready(page, 'b', readyB + 1), 'custom');
        assert.deepEqual(await tags(page), [null, null], 'new elements');
        await classify(page, 'a', 7);
        await classify(page, 'b', 2);
        assert.ok((await customCalls(page)) > calls, 'the new B runs on the backend object');
      }));
  });
}
