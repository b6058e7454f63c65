// Operations: the real server process stopped with SIGTERM while sockets are open, and the database
// cut away (a TCP proxy in front of the real Postgres) and brought back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeServerFrame, encodeInferRequest, ErrorCode } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { dbProxy, json, mnistDigits, startServer, TEST_DATABASE_URL } from './helpers.ts';
import { spawnServer } from './server-process.ts';

test('SIGTERM with open WebSockets: they get 1001, the process exits cleanly within 10 s', async () => {
  const server = await spawnServer();
  const url = server.url;
  try {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const sockets = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
            ws.once('message', () => resolve(ws)); // HELLO
            ws.once('error', reject);
          }),
      ),
    );
    const closes = sockets.map(
      (ws) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))),
    );
    const t0 = Date.now();
    const exited = server.stop();
    assert.deepEqual(await Promise.all(closes), [1001, 1001, 1001]);
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  } finally {
    server.kill();
  }
});

test('when the database goes away: readyz says why, the gallery answers 503, inference goes on; all recovers', async () => {
  const proxy = await dbProxy(new URL(TEST_DATABASE_URL));
  const s = await startServer('postgres', { databaseUrl: proxy.url });
  const [d] = await mnistDigits(1, 700);
  const submit = () =>
    fetch(`${s.url}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
    });
  const ws = new WebSocket(s.wsUrl);
  const results: number[] = [];
  ws.on('message', (m) => {
    const msg = decodeServerFrame(m as Buffer);
    if (msg.type === 'result') results.push(msg.id);
    if (msg.type === 'error') assert.notEqual(msg.code, ErrorCode.Internal);
  });
  await new Promise((r) => ws.once('open', r));
  try {
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
    assert.equal((await submit()).status, 201);

    await proxy.cut();
    const ready = await json(await fetch(`${s.url}/readyz`));
    assert.equal(ready.status, 503);
    assert.match(ready.body.reasons.join(' '), /database/);
    const down = await json(await submit());
    assert.equal(down.status, 503);
    assert.match(down.body.error, /database is unavailable/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200, 'the process is still up');
    ws.send(encodeInferRequest(42, d.pixels));
    const deadline = Date.now() + 5000;
    while (!results.includes(42) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(results.includes(42), 'inference works without the database');

    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await fetch(`${s.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200, 'ready again by itself');
    assert.equal((await submit()).status, 201);
  } finally {
    ws.close();
    await s.close();
    await proxy.cut().catch(() => {});
  }
});
