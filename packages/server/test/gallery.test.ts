// The gallery API against real databases: the same suite runs on Postgres (its own schema) and on
// embedded PGlite. Real HTTP requests, the real model predicting each drawing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { json, mnistDigits, startServer, type DbKind, type TestServer } from './helpers.ts';

const ADMIN = 'test-admin-token-0123456789';

for (const kind of ['postgres', 'pglite'] as DbKind[]) {
  describe(`gallery on ${kind}`, () => {
    let s: TestServer;
    let digits: Awaited<ReturnType<typeof mnistDigits>>;
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/api/gallery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const count = async () => Number((await s.db('gallery_drawings').count('* as n'))[0].n);

    before(async () => {
      s = await startServer(kind, {
        adminToken: ADMIN,
        corsOrigins: ['https://teacher.example'],
        limits: { submissionsBurst: 1000, submissionsPerMinute: 60_000 },
        trustProxy: 'loopback', // as behind Caddy: X-Forwarded-For names the reader
      });
      digits = await mnistDigits(40);
    });
    after(() => s.close());

    test('a submission is predicted by the server, stored, and listed newest first', async () => {
      const d = digits[0];
      const res = await json(await post({ pixels: Array.from(d.pixels), label: d.label }));
      assert.equal(res.status, 201);
      assert.equal(res.body.prediction, d.label, 'the real model recognises an MNIST digit');
      assert.equal(res.body.misclassified, false);
      assert.ok(res.body.confidence > 0.5);
      // base64 works too, and a wrong label is kept as the reader meant it: misclassified
      const wrong = (d.label + 1) % 10;
      const res2 = await json(await post({ pixels: Buffer.from(d.pixels).toString('base64'), label: wrong }));
      assert.equal(res2.status, 201);
      assert.equal(res2.body.misclassified, true);
      const list = await json(await fetch(`${s.url}/api/gallery?limit=2`));
      assert.deepEqual(
        list.body.items.map((i: { id: number }) => i.id),
        [res2.body.id, res.body.id],
      );
      const one = await json(await fetch(`${s.url}/api/gallery/${res.body.id}`));
      assert.equal(one.body.label, d.label);
      assert.equal(Buffer.from(one.body.pixels, 'base64').length, 784);
      const mis = await json(await fetch(`${s.url}/api/gallery?misclassified=true`));
      assert.ok(mis.body.items.every((i: { misclassified: boolean }) => i.misclassified));
      assert.ok(mis.body.items.some((i: { id: number }) => i.id === res2.body.id));
      const byLabel = await json(await fetch(`${s.url}/api/gallery?label=${wrong}`));
      assert.ok(byLabel.body.items.every((i: { label: number }) => i.label === wrong));
    });

    test('every validation rule answers 4xx with a message and stores nothing', async () => {
      const before = await count();
      const px = Array.from(digits[1].pixels);
      const cases: [string, unknown, number, RegExp][] = [
        ['label 10', { pixels: px, label: 10 }, 400, /label/],
        ['label -1', { pixels: px, label: -1 }, 400, /label/],
        ['label 3.5', { pixels: px, label: 3.5 }, 400, /label/],
        ['label as a string', { pixels: px, label: '3' }, 400, /label/],
        ['no label', { pixels: px }, 400, /label/],
        ['783 pixels', { pixels: px.slice(1), label: 3 }, 400, /784/],
        ['785 pixels', { pixels: [...px, 0], label: 3 }, 400, /784/],
        ['a pixel of 256', { pixels: px.map((v, i) => (i === 5 ? 256 : v)), label: 3 }, 400, /pixels\[5\]/],
        ['a string pixel', { pixels: px.map((v, i) => (i === 7 ? 'x' : v)), label: 3 }, 400, /pixels\[7\]/],
        [
          'a null pixel (NaN in JSON)',
          { pixels: px.map((v, i) => (i === 9 ? null : v)), label: 3 },
          400,
          /pixels\[9\]/,
        ],
        ['pixels as a number', { pixels: 5, label: 3 }, 400, /pixels/],
        ['bad base64', { pixels: '!!!notbase64', label: 3 }, 400, /base64/],
        ['base64 of 10 bytes', { pixels: Buffer.alloc(10).toString('base64'), label: 3 }, 400, /784/],
        ['an empty drawing', { pixels: new Array(784).fill(0), label: 3 }, 400, /empty/],
        ['an array body', [1, 2, 3], 400, /object/],
        ['malformed JSON', '{"pixels": [1,2', 400, /JSON/],
        ['NaN literal', `{"pixels": [${px.slice(1).join(',')}, NaN], "label": 3}`, 400, /JSON/],
        ['a huge body', { pixels: px, label: 3, padding: 'x'.repeat(200_000) }, 413, /too large/],
      ];
      for (const [name, body, status, message] of cases) {
        const res = await json(await post(body));
        assert.equal(res.status, status, name);
        assert.match(res.body.error, message, name);
      }
      assert.equal(await count(), before, 'nothing was stored');
    });

    test('pages are stable while others submit: no duplicates, no gaps', async () => {
      for (const d of digits.slice(2, 26))
        assert.equal((await post({ pixels: Array.from(d.pixels), label: d.label })).status, 201);
      const all = (await json(await fetch(`${s.url}/api/gallery?limit=100`))).body.items.map(
        (i: { id: number }) => i.id,
      );
      const seen: number[] = [];
      let cursor: number | null = null;
      let first = true;
      while (first || cursor !== null) {
        const page: { items: { id: number }[]; nextCursor: number | null } = (
          await json(await fetch(`${s.url}/api/gallery?limit=7${cursor ? `&cursor=${cursor}` : ''}`))
        ).body;
        seen.push(...page.items.map((i: { id: number }) => i.id));
        cursor = page.nextCursor;
        if (first) {
          // concurrent inserts after the first page was read
          await Promise.all(
            digits.slice(26, 32).map((d) => post({ pixels: Array.from(d.pixels), label: d.label })),
          );
          first = false;
        }
      }
      assert.deepEqual(seen, all, 'walking the pages yields exactly the list as it was');
      const bad = await json(await fetch(`${s.url}/api/gallery?limit=1000`));
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /limit/);
    });

    test('image.png is the drawing at the requested size; random_image shows only visible drawings', async () => {
      const list = (await json(await fetch(`${s.url}/api/gallery?limit=100`))).body.items;
      const res = await fetch(`${s.url}/api/gallery/${list[0].id}/image.png?size=56`);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
      assert.equal(png.width, 56);
      assert.equal((await fetch(`${s.url}/api/gallery/${list[0].id}/image.png?size=5000`)).status, 400);
      // hide all but three drawings; random_image must only ever show those three
      const keep = new Set<number>(list.slice(0, 3).map((i: { id: number }) => i.id));
      await s
        .db('gallery_drawings')
        .whereNotIn('id', [...keep])
        .update({ hidden: true });
      for (let i = 0; i < 25; i++) {
        const r = await fetch(`${s.url}/api/random_image`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        assert.equal(r.headers.get('content-type'), 'image/png');
        assert.ok(
          keep.has(Number(r.headers.get('x-drawing-id'))),
          `random_image showed ${r.headers.get('x-drawing-id')}`,
        );
        PNG.sync.read(Buffer.from(await r.arrayBuffer()));
      }
      const visible = (await json(await fetch(`${s.url}/api/gallery?limit=100`))).body.items;
      assert.equal(visible.length, 3);
      assert.equal(
        (await fetch(`${s.url}/api/gallery/${list[5].id}`)).status,
        404,
        'a hidden drawing is not found',
      );
    });

    test('stats add up to the visible drawings, with a 10×10 confusion matrix', async () => {
      const stats = (await json(await fetch(`${s.url}/api/stats`))).body;
      const visible = (await json(await fetch(`${s.url}/api/gallery?limit=100`))).body.items;
      assert.equal(stats.total, visible.length);
      assert.equal(stats.confusion.length, 10);
      assert.equal(
        stats.confusion.flat().reduce((a: number, b: number) => a + b, 0),
        stats.total,
      );
      assert.equal(stats.correct + stats.misclassified, stats.total);
      for (const v of visible) assert.ok(stats.confusion[v.label][v.prediction] > 0);
    });

    test('reports from three readers hide a drawing (one reader counts once); the admin token hides at once, wrong tokens are refused', async () => {
      const id = (await json(await post({ pixels: Array.from(digits[33].pixels), label: digits[33].label })))
        .body.id;
      const report = (from: string) =>
        fetch(`${s.url}/api/gallery/${id}/report`, { method: 'POST', headers: { 'x-forwarded-for': from } });
      // one reader reporting again and again cannot hide a drawing alone
      for (let i = 0; i < 5; i++) assert.equal((await report('203.0.113.1')).status, 202);
      assert.equal((await fetch(`${s.url}/api/gallery/${id}`)).status, 200);
      assert.equal((await report('203.0.113.2')).status, 202);
      assert.equal((await fetch(`${s.url}/api/gallery/${id}`)).status, 200);
      assert.equal((await report('203.0.113.3')).status, 202);
      assert.equal((await fetch(`${s.url}/api/gallery/${id}`)).status, 404);
      assert.equal((await report('203.0.113.4')).status, 404, 'a hidden drawing cannot be reported');
      const id2 = (await json(await post({ pixels: Array.from(digits[34].pixels), label: digits[34].label })))
        .body.id;
      const del = (auth?: string) =>
        fetch(`${s.url}/api/gallery/${id2}`, {
          method: 'DELETE',
          headers: auth ? { authorization: auth } : {},
        });
      assert.equal((await del()).status, 401);
      assert.equal((await del('Bearer wrong-token')).status, 401);
      assert.equal((await del(`Basic ${ADMIN}`)).status, 401);
      assert.equal((await fetch(`${s.url}/api/gallery/${id2}`)).status, 200);
      assert.equal((await del(`Bearer ${ADMIN}`)).status, 204);
      assert.equal((await fetch(`${s.url}/api/gallery/${id2}`)).status, 404);
      assert.equal((await fetch(`${s.url}/api/gallery/abc`)).status, 400);
    });

    test('CORS: reads from anywhere, writes only from CORS_ORIGINS', async () => {
      const r = await fetch(`${s.url}/api/stats`, { headers: { origin: 'https://blog.example' } });
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const body = { pixels: Array.from(digits[35].pixels), label: digits[35].label };
      const foreign = await json(await post(body, { origin: 'https://evil.example' }));
      assert.equal(foreign.status, 403);
      const ok = await post(body, { origin: 'https://teacher.example' });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://teacher.example');
    });
  });
}

describe('submission rate limit', () => {
  test('a client over its limit gets 429 with Retry-After; nothing more is stored', async () => {
    const s = await startServer('pglite', { limits: { submissionsBurst: 3, submissionsPerMinute: 3 } });
    try {
      const [d] = await mnistDigits(1, 100);
      const post = () =>
        fetch(`${s.url}/api/gallery`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
        });
      for (let i = 0; i < 3; i++) assert.equal((await post()).status, 201);
      const limited = await post();
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.match((await json(limited)).body.error, /too many/);
      assert.equal(Number((await s.db('gallery_drawings').count('* as n'))[0].n), 3);
      const empty = await fetch(`${s.url}/api/random_image`);
      assert.equal(empty.status, 200);
    } finally {
      await s.close();
    }
  });

  test('without TRUST_PROXY, a client cannot pose as others with X-Forwarded-For', async () => {
    const s = await startServer('pglite', { limits: { submissionsBurst: 2, submissionsPerMinute: 2 } });
    try {
      const [d] = await mnistDigits(1, 101);
      const post = (from: string) =>
        fetch(`${s.url}/api/gallery`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
        });
      assert.equal((await post('198.51.100.1')).status, 201);
      assert.equal((await post('198.51.100.2')).status, 201);
      assert.equal((await post('198.51.100.3')).status, 429, 'the spoofed addresses share one limit');
      const { id } = (await json(await fetch(`${s.url}/api/gallery`))).body.items[0];
      for (const from of ['198.51.100.4', '198.51.100.5', '198.51.100.6'])
        await fetch(`${s.url}/api/gallery/${id}/report`, {
          method: 'POST',
          headers: { 'x-forwarded-for': from },
        });
      assert.equal(
        (await fetch(`${s.url}/api/gallery/${id}`)).status,
        200,
        'three spoofed reports count as one',
      );
    } finally {
      await s.close();
    }
  });

  test('an empty gallery serves a placeholder image', async () => {
    const s = await startServer('pglite');
    try {
      const r = await fetch(`${s.url}/api/random_image`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-drawing-id'), '');
      assert.equal(PNG.sync.read(Buffer.from(await r.arrayBuffer())).width, 280);
    } finally {
      await s.close();
    }
  });
});
