// Embedding as others do it: /embed inside a cross-origin iframe, oEmbed discovery and JSON, and the
// drop-in bundle on a plain static HTML page served from another port (no build step).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { drawDigit, launch, shownPrediction, watchErrors, saveScreenshot } from './helpers/browser.ts';
import { serveOtherOrigin } from './helpers/other-origin.ts';
import { startServer, type RunningServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('/embed in a cross-origin iframe', () => {
  it('works inside an iframe on another origin, configured by its query', async () => {
    const host = await serveOtherOrigin(`<!doctype html><title>A course page</title>
      <h1>Week 3: convolutions</h1>
      <iframe src="${server.url}/embed?theme=dark&narration=off" width="960" height="720" style="border:0"></iframe>`);
    const page = await browser.newPage({ viewport: { width: 1000, height: 820 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const frame = page.frameLocator('iframe');
    const el = frame.locator('cnn-visualizer');
    await el.locator('[part=samples] button').first().waitFor({ timeout: 60_000 });
    assert.equal(await el.getAttribute('theme'), 'dark');
    assert.equal(await el.getAttribute('tour'), 'off');
    await el.locator('[part=samples] button[title="Try a handwritten 4"]').click();
    const strong = el.locator('[part=prediction] .verdict strong');
    await strong.waitFor({ timeout: 60_000 });
    assert.equal(await strong.textContent(), '4');
    await page.waitForTimeout(1000);
    await saveScreenshot(page, 'embed-iframe.png');
    assert.deepEqual(errors, []);
    await page.close();
    host.close();
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
    assert.match(small.html, /\/embed\?backend=server"/, 'unknown parameters and bad values are dropped; ws is read as server');
    assert.doesNotMatch(small.html, /<script/);
    assert.equal((await q({ url: page, format: 'xml' })).status, 501);
    assert.equal((await q({ url: 'https://example.org/', format: 'json' })).status, 404);
    assert.equal((await q({ url: `${server.url}/api/stats` })).status, 404);
    const bad = await q({ url: 'not a url' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /not a valid absolute URL/);
    assert.equal((await q({})).status, 400);
  });
});

describe('the drop-in bundle', () => {
  it('works on a plain HTML page from another origin with one script tag and the element', async () => {
    const host = await serveOtherOrigin(`<!doctype html><meta charset="utf-8"><title>My blog</title>
      <p>Draw a digit:</p>
      <script type="module" src="${server.url}/cdn/cnn-visualizer.min.js"></script>
      <cnn-visualizer></cnn-visualizer>`);
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = watchErrors(page);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(host.url);
    await page.waitForFunction(
      () => document.querySelector('cnn-visualizer')?.shadowRoot?.querySelector('.backend')?.textContent,
      null,
      { timeout: 60_000 },
    );
    assert.equal(
      (await page.locator('cnn-visualizer .backend').textContent())?.trim(),
      'running in your browser',
    );
    await drawDigit(page, 7);
    assert.equal(await shownPrediction(page), 7);
    // everything came from the bundle's own folder
    for (const f of ['/cdn/cnn.json', '/cdn/cnn.onnx', '/cdn/ort-wasm-simd-threaded.wasm'])
      assert.ok(fetched.includes(f), `${f} was loaded next to the bundle`);
    await saveScreenshot(page, 'dropin-plain-page.png');
    assert.deepEqual(errors, []);
    await page.close();
    host.close();
  });
});
