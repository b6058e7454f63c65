// WS /ws over real connections: the binary protocol, the real model, malformed frames and limits.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Encoding, encodeInferRequest, ErrorCode, INFER_FRAME_BYTES } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { loadConfig } from '../src/config.ts';
import { helloSchema } from '../src/ws/hello.ts';
import { mnistDigits, startServer, type TestServer } from './helpers.ts';
import { client } from './ws-client.ts';

describe('WS /ws', () => {
  let s: TestServer;
  let reference: ModelRunner;
  before(async () => {
    s = await startServer('pglite', { limits: { wsBurst: 1000, wsRequestsPerSecond: 1000 } });
    reference = await ModelRunner.load(loadConfig({}).modelPath);
  });
  after(async () => {
    await s.close();
    await reference.close();
  });

  test('says HELLO with the model and its layers, then answers MNIST digits with every layer', async () => {
    const c = await client(s.wsUrl);
    await c.until((m) => m.length >= 1);
    const hello = c.messages[0];
    assert.equal(hello.type, 'hello');
    if (hello.type !== 'hello') return;
    assert.equal(hello.hello.model.version, reference.version);
    assert.ok(helloSchema.safeParse(hello.hello).success, 'HELLO has the documented shape');
    assert.deepEqual(
      hello.hello.layers.map((l) => l.name),
      reference.description.layers.slice(1).map((l) => l.name),
    );
    const digits = await mnistDigits(8, 200);
    // all in flight at once, answered by id
    digits.forEach((d, i) => c.ws.send(encodeInferRequest(1000 + i, d.pixels)));
    await c.until((m) => m.filter((x) => x.type === 'result').length === digits.length);
    for (const [i, d] of digits.entries()) {
      const r = c.messages.find((m) => m.type === 'result' && m.id === 1000 + i);
      assert.ok(r && r.type === 'result');
      if (r?.type !== 'result') return;
      const direct = await reference.infer(d.pixels);
      assert.equal(r.prediction, direct.prediction);
      assert.equal(r.layers.length, direct.layers.length);
      r.layers.forEach((layer, li) => {
        assert.equal(layer.length, direct.layers[li].length);
        for (let k = 0; k < layer.length; k++) assert.ok(Math.abs(layer[k] - direct.layers[li][k]) <= 1e-6);
      });
    }
    const correct = digits.filter((d, i) => {
      const r = c.messages.find((m) => m.type === 'result' && m.id === 1000 + i);
      return r?.type === 'result' && r.prediction === d.label;
    }).length;
    assert.ok(correct >= 7, `${correct}/8 MNIST digits right`);
    c.ws.close();
  });

  test('uint8 encoding is 4× smaller and within one quantisation step', async () => {
    const c = await client(s.wsUrl);
    const [d] = await mnistDigits(1, 300);
    c.ws.send(encodeInferRequest(7, d.pixels, Encoding.Uint8));
    await c.until((m) => m.some((x) => x.type === 'result'));
    const r = c.messages.find((m) => m.type === 'result');
    assert.ok(r?.type === 'result');
    if (r?.type !== 'result') return;
    assert.equal(r.encoding, Encoding.Uint8);
    const direct = await reference.infer(d.pixels);
    assert.equal(r.prediction, direct.prediction);
    r.layers.forEach((layer, li) => {
      const exact = direct.layers[li];
      const range = Math.max(...exact) - Math.min(...exact);
      for (let k = 0; k < layer.length; k++)
        assert.ok(Math.abs(layer[k] - exact[k]) <= range / 255 / 2 + 1e-5);
    });
    c.ws.close();
  });

  test('malformed frames get an ERROR naming the problem, and the connection keeps working', async () => {
    const c = await client(s.wsUrl);
    const [d] = await mnistDigits(1, 400);
    const good = encodeInferRequest(1, d.pixels);
    const wrongVersion = Uint8Array.from(good);
    wrongVersion[0] = 9;
    const wrongType = Uint8Array.from(good);
    wrongType[1] = 0x42;
    const wrongEncoding = Uint8Array.from(good);
    wrongEncoding[2] = 7;
    c.ws.send(good.subarray(0, 100)); // truncated
    c.ws.send(wrongVersion);
    c.ws.send(wrongType);
    c.ws.send(wrongEncoding);
    c.ws.send(Buffer.from([1, 2, 3])); // garbage shorter than a header
    c.ws.send('{"pixels": [1,2,3]}'); // text
    c.ws.send(encodeInferRequest(99, d.pixels));
    await c.until((m) => m.some((x) => x.type === 'result' && x.id === 99));
    const errors = c.messages.filter((m) => m.type === 'error');
    const codes = errors.map((e) => (e.type === 'error' ? e.code : 0));
    assert.deepEqual(codes, [
      ErrorCode.MalformedFrame,
      ErrorCode.UnsupportedVersion,
      ErrorCode.UnsupportedType,
      ErrorCode.UnsupportedEncoding,
      ErrorCode.MalformedFrame,
      ErrorCode.MalformedFrame,
    ]);
    for (const e of errors) if (e.type === 'error') assert.ok(e.message.length > 10, e.message);
    assert.match(errors[0].type === 'error' ? errors[0].message : '', new RegExp(String(INFER_FRAME_BYTES)));
    c.ws.close();
  });

  test('a frame over the size limit closes that connection with 1009; others are unaffected', async () => {
    const big = await client(s.wsUrl);
    const other = await client(s.wsUrl);
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
    big.ws.send(Buffer.alloc(64 * 1024, 1));
    assert.equal(await closed, 1009);
    const [d] = await mnistDigits(1, 500);
    other.ws.send(encodeInferRequest(5, d.pixels));
    await other.until((m) => m.some((x) => x.type === 'result' && x.id === 5));
    other.ws.close();
  });
});

describe('WS limits', () => {
  test('past its rate limit a connection gets RateLimited errors, not silence', async () => {
    const s = await startServer('pglite', { limits: { wsBurst: 5, wsRequestsPerSecond: 1 } });
    try {
      const c = await client(s.wsUrl);
      const [d] = await mnistDigits(1, 600);
      for (let i = 0; i < 12; i++) c.ws.send(encodeInferRequest(i + 1, d.pixels));
      await c.until((m) => m.filter((x) => x.type !== 'hello').length === 12);
      const limited = c.messages.filter((m) => m.type === 'error' && m.code === ErrorCode.RateLimited);
      assert.ok(limited.length >= 6, `${limited.length} rate-limited`);
      assert.ok(c.messages.filter((m) => m.type === 'result').length >= 5);
      c.ws.close();
    } finally {
      await s.close();
    }
  });

  test('one address may hold only so many connections (429 at the upgrade); others are unaffected', async () => {
    const s = await startServer('pglite', {
      limits: { wsMaxConnectionsPerClient: 3 },
      trustProxy: 'loopback',
    });
    const open = (from: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(s.wsUrl, { headers: { 'x-forwarded-for': from } });
        ws.once('message', () => resolve(ws)); // HELLO
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', reject);
      });
    try {
      const three = await Promise.all([1, 2, 3].map(() => open('203.0.113.9')));
      await assert.rejects(open('203.0.113.9'), /HTTP 429/);
      const other = await open('203.0.113.10');
      three[0].close();
      await new Promise((r) => three[0].once('close', r));
      await new Promise((r) => setTimeout(r, 100));
      const again = await open('203.0.113.9');
      for (const ws of [...three, other, again]) ws.close();
    } finally {
      await s.close();
    }
  });
});
