// Privacy: a reader's address never reaches the database or the logs, only its salted hash does.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { encodeInferRequest } from 'cnn-visualizer/protocol';
import { mnistDigits, startServer } from './helpers.ts';

test('no raw client address in the database or in the logs (debug level, every route)', async () => {
  let logs = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs += chunk;
      done();
    },
  });
  const s = await startServer('pglite', { trustProxy: 'loopback', logger: pino({ level: 'trace' }, sink) });
  const ADDRESS = '203.0.113.77';
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': ADDRESS };
  try {
    const [d] = await mnistDigits(1, 1200);
    const created = await fetch(`${s.url}/api/gallery`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: number };
    await fetch(`${s.url}/api/gallery/${id}/report`, { method: 'POST', headers });
    await fetch(`${s.url}/api/gallery`, { method: 'POST', headers, body: '{bad json' });
    await fetch(`${s.url}/api/nope`, { headers });
    await fetch(`${s.url}/api/gallery?label=11`, { headers });
    const ws = new WebSocket(s.wsUrl, { headers: { 'x-forwarded-for': ADDRESS } });
    await new Promise((r) => ws.once('message', r));
    ws.send(encodeInferRequest(1, d.pixels));
    ws.send('garbage');
    await new Promise((r) => setTimeout(r, 300));
    ws.close();

    assert.ok(logs.includes('"request"'), 'requests were logged');
    assert.ok(!logs.includes(ADDRESS), 'the logs never contain the address');
    assert.ok(!logs.includes('127.0.0.1'), 'nor the proxy address');
    const dump = JSON.stringify(
      await Promise.all(
        ['gallery_drawings', 'gallery_reports', 'server_settings'].map((t) => s.db(t).select('*')),
      ),
    );
    assert.ok(dump.includes('client_hash'), 'the tables were read');
    assert.ok(!dump.includes(ADDRESS) && !dump.includes('127.0.0.1'), 'the database never holds the address');
  } finally {
    await s.close();
  }
});
