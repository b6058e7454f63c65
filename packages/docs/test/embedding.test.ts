// Embedding as others do it: /embed inside a cross-origin iframe, configured by its query (the same
// options as the element's attributes, a teacher's hosted model included), oEmbed discovery and JSON,
// and the drop-in bundle on a plain static HTML page served from another port (no build step).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { drawDigit, launch, shownPrediction, watchErrors, saveScreenshot } from './helpers/browser.ts';
import { serveOtherOrigin } from './helpers/other-origin.ts';
import { REPO, startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  // one after the other: on a busy machine the server starts much faster without Chromium starting beside it
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The machine running the suite may be busy: loading the model and runtime can take a while. */
const READY_MS = 120_000;

/** Two rendered frames: the 3D view has drawn what changed (for screenshots). */
const frames = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** A teacher's static host for the model files (cnn.json + cnn.onnx), with CORS open to every origin. */
async function serveModel(): Promise<{ url: string; close(): void }> {
  const host = createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (name !== 'cnn.json' && name !== 'cnn.onnx') return void res.writeHead(404).end();
    const body = await readFile(join(REPO, 'model', name));
    res
      .writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/octet-stream' })
      .end(body);
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  const port = (host.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => host.close() };
}

describe('/embed in a cross-origin iframe', () => {
  it('works inside an iframe on another origin, configured by its query', async (t) => {
    const host = await serveOtherOrigin(`<!doctype html><title>A course page</title>
      <h1>Week 3: convolutions</h1>
      <iframe src="${server.url}/embed?theme=dark&narration=off" width="960" height="720" style="border:0"></iframe>`);
    t.after(() => host.close());
    const page = await browser.newPage({ viewport: { width: 1000, height: 820 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const frame = page.frameLocator('iframe');
    const el = frame.locator('cnn-visualizer');
    await el.locator('[part=samples] button').first().waitFor({ timeout: READY_MS });
    assert.equal(await el.getAttribute('theme'), 'dark');
    assert.equal(await el.getAttribute('tour'), 'off');
    await el.locator('[part=samples] button[title="Try a handwritten 4"]').click();
    const strong = el.locator('[part=prediction] .verdict strong');
    await strong.waitFor({ timeout: READY_MS });
    assert.equal(await strong.textContent(), '4');
    await frames(page);
    await saveScreenshot(page, 'embed-iframe.png');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a figure: hide the draw pad and samples, classify a shipped 4, open the tour at conv1', async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/embed?hide=draw-pad,samples&digit=4&tour=manual&step=conv1`);
    const el = page.locator('cnn-visualizer');
    const strong = el.locator('[part=prediction] .verdict strong');
    await strong.waitFor({ timeout: READY_MS });
    assert.equal(await strong.textContent(), '4');
    await el
      .locator('[part=narration-text]')
      .filter({ hasText: 'Convolution: looking for patterns' })
      .waitFor();
    assert.equal(await el.locator('[part=draw-pad]').count(), 0, 'no draw pad');
    assert.equal(await el.locator('[part=samples]').count(), 0, 'no samples');
    await frames(page);
    await saveScreenshot(page, 'embed-figure.png');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("/embed?model=<a teacher's hosted model on another origin> runs it in the page", async (t) => {
    const models = await serveModel();
    t.after(() => models.close());
    const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
    const errors = watchErrors(page);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(`${server.url}/embed?model=${encodeURIComponent(`${models.url}cnn.json`)}`);
    const el = page.locator('cnn-visualizer');
    // ready, or an error said in words (then the test says which)
    const failed = el.locator('[part=error]');
    await el.getByText('running in your browser').or(failed).waitFor({ timeout: READY_MS });
    assert.equal(await failed.count(), 0, `the element says: ${await failed.textContent().catch(() => '')}`);
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    assert.ok(fetched.includes(`${models.url}cnn.onnx`), "the teacher's model was loaded");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('/embed ignores a model URL that is not http(s)', async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/embed?model=${encodeURIComponent('javascript:alert(1)')}&backend=local`);
    await page.locator('cnn-visualizer').getByText('running in your browser').waitFor({ timeout: READY_MS });
    assert.equal(await page.locator('cnn-visualizer').getAttribute('model-url'), null);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('oEmbed', () => {
  it('every page links to its oEmbed answer, which is valid oEmbed 1.0 rich JSON with an iframe of /embed', async () => {
    for (const path of ['/', '/gallery', '/embed?theme=dark']) {
      const html = await (await fetch(server.url + path)).text();
      const link = html.match(/<link\s+rel="alternate"\s+type="application\/json\+oembed"\s+href="([^"]+)"/);
      assert.ok(link, `${path} carries the oEmbed discovery link`);
      const href = link[1].replaceAll('&amp;', '&');
      const res = await fetch(href);
      assert.equal(res.status, 200, href);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      const o = await res.json();
      assert.equal(o.version, '1.0');
      assert.equal(o.type, 'rich');
      assert.equal(o.provider_name, 'cnn-visualizer');
      assert.ok(Number.isInteger(o.width) && Number.isInteger(o.height));
      const src = o.html.match(/^<iframe src="([^"]+)" width="(\d+)" height="(\d+)"/);
      assert.ok(src, o.html);
      assert.equal(Number(src[2]), o.width);
      const embed = new URL(src[1].replaceAll('&amp;', '&'));
      assert.equal(embed.origin + embed.pathname, `${server.url}/embed`);
      if (path.includes('theme=dark')) assert.equal(embed.searchParams.get('theme'), 'dark');
      // and the iframe's page answers
      assert.equal((await fetch(embed)).status, 200);
    }
  });

  it('honours maxwidth/maxheight, keeps only known embed parameters, refuses what it cannot answer', async () => {
    const q = (params: Record<string, string>) =>
      fetch(`${server.url}/oembed?${new URLSearchParams(params)}`);
    const page = `${server.url}/embed?backend=ws&theme=%22%3E%3Cscript%3E&evil=1`;
    const small = await (await q({ url: page, maxwidth: '500', maxheight: '600' })).json();
    assert.equal(small.width, 500);
    assert.equal(small.height, 600);
    assert.match(
      small.html,
      /\/embed\?backend=server"/,
      'unknown parameters and bad values are dropped; ws is read as server',
    );
    assert.doesNotMatch(small.html, /<script/);
    assert.equal((await q({ url: page, format: 'xml' })).status, 501);
    assert.equal((await q({ url: 'https://example.org/', format: 'json' })).status, 404);
    assert.equal((await q({ url: `${server.url}/api/stats` })).status, 404);
    const bad = await q({ url: 'not a url' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /not a valid absolute URL/);
    assert.equal((await q({})).status, 400);
    // a teacher's model travels into the iframe (http(s) only), and runs in the page
    const model = 'https://course.example.org/models/my-cnn.onnx';
    const withModel = await (
      await q({ url: `${server.url}/embed?model=${encodeURIComponent(model)}&step=conv1`, format: 'json' })
    ).json();
    const src = new URL(withModel.html.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&'));
    assert.equal(src.searchParams.get('model'), model);
    assert.equal(src.searchParams.get('backend'), 'local');
    assert.equal(src.searchParams.get('step'), 'conv1');
    const sneaky = await (
      await q({
        url: `${server.url}/embed?model=${encodeURIComponent('javascript:alert(1)')}`,
        format: 'json',
      })
    ).json();
    assert.doesNotMatch(sneaky.html, /model=|javascript/);
  });
});

describe('the drop-in bundle', () => {
  it('works on a plain HTML page from another origin with one script tag and the element', async (t) => {
    const host = await serveOtherOrigin(`<!doctype html><meta charset="utf-8"><title>My blog</title>
      <p>Draw a digit:</p>
      <script type="module" src="${server.url}/cdn/cnn-visualizer.min.js"></script>
      <cnn-visualizer></cnn-visualizer>`);
    t.after(() => host.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = watchErrors(page);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(host.url);
    // the drop-in defaults to running the network in the page
    await page.locator('cnn-visualizer').getByText('running in your browser').waitFor({ timeout: READY_MS });
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    // everything came from the bundle's own folder
    for (const f of ['/cdn/cnn.json', '/cdn/cnn.onnx', '/cdn/ort-wasm-simd-threaded.wasm'])
      assert.ok(fetched.includes(f), `${f} was loaded next to the bundle`);
    await saveScreenshot(page, 'dropin-plain-page.png');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
