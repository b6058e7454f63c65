// Hostile WebSocket input, seeded: ≥ 10,000 random and mutated frames (truncated, oversized, wrong
// version, wrong type, random bytes, huge ids, text, floods) against the real server. Every frame gets
// an answer (an error naming the problem, or a result), an oversized frame closes only its own
// connection with 1009, a well-behaved client beside them keeps getting right answers, the heap does
// not grow, and the server is still healthy afterwards. `npm run fuzz` runs a longer version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  decodeServerFrame,
  encodeInferRequest,
  Encoding,
  INFER_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ServerMessage,
} from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { mulberry32 } from '../../../model/src/random.ts';
import { mnistDigits, startServer, type TestServer } from './helpers.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let s: TestServer;
let digits: { pixels: Uint8Array; label: number }[];
before(async () => {
  s = await startServer('pglite');
  digits = await mnistDigits(20, 500);
});
after(() => s.close());

interface Conn {
  ws: WebSocket;
  answers: ServerMessage[];
  closed: Promise<number>;
}

async function connect(): Promise<Conn> {
  const ws = new WebSocket(s.wsUrl);
  const answers: ServerMessage[] = [];
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  let hello = false;
  ws.on('message', (data) => {
    const m = decodeServerFrame(data as Buffer);
    if (!hello && m.type === 'hello') hello = true;
    else answers.push(m);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, answers, closed };
}

async function until(pred: () => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One hostile (or, now and then, valid) frame. */
function frame(rnd: () => number, valid: Uint8Array): { data: Uint8Array | string; kind: string } {
  const pick = rnd();
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => (rnd() * 256) | 0);
  const copy = () => Uint8Array.from(valid);
  if (pick < 0.15) return { data: bytes((rnd() * 900) | 0), kind: 'random bytes' };
  if (pick < 0.3) return { data: copy().subarray(0, (rnd() * INFER_FRAME_BYTES) | 0), kind: 'truncated' };
  if (pick < 0.4) {
    const f = copy();
    f[0] = (PROTOCOL_VERSION + 1 + rnd() * 250) & 255 || 2;
    return { data: f, kind: 'wrong version' };
  }
  if (pick < 0.5) {
    const f = copy();
    f[1] = 2 + ((rnd() * 250) | 0);
    return { data: f, kind: 'wrong type' };
  }
  if (pick < 0.6) {
    const f = copy();
    f[2] = 2 + ((rnd() * 200) | 0); // unknown encoding
    return { data: f, kind: 'wrong encoding' };
  }
  if (pick < 0.7) {
    const f = copy();
    for (let k = 0; k < 1 + rnd() * 8; k++) f[(rnd() * f.length) | 0] = (rnd() * 256) | 0;
    return { data: f, kind: 'mutated' };
  }
  if (pick < 0.78) return { data: 'infer please ' + String(rnd()), kind: 'text' };
  if (pick < 0.85) {
    const f = copy();
    new DataView(f.buffer).setUint32(4, 0xffffffff, true);
    return { data: f, kind: 'huge id' };
  }
  if (pick < 0.9) {
    const f = new Uint8Array(INFER_FRAME_BYTES + 1 + ((rnd() * 2000) | 0));
    f.set(valid);
    return { data: f, kind: 'too long for its type' };
  }
  if (pick < 0.93) return { data: new Uint8Array(0), kind: 'empty' };
  return { data: copy(), kind: 'valid' };
}

test(`${FRAMES} hostile frames: each answered, oversized ones close only their connection, others unaffected`, async () => {
  const rnd = mulberry32(SEED);
  const valid = encodeInferRequest(1, digits[0].pixels, Encoding.Uint8);

  // a well-behaved reader on its own connection, all along
  const good = await connect();
  let goodSent = 0;
  let goodWrong = 0;
  let stop = false;
  const goodLoop = (async () => {
    while (!stop) {
      const d = digits[goodSent % digits.length];
      good.ws.send(encodeInferRequest(++goodSent, d.pixels, Encoding.Uint8));
      await until(() => good.answers.length >= goodSent, 'the good client');
      const a = good.answers[goodSent - 1];
      if (a.type !== 'result' || a.id !== goodSent || a.prediction !== d.label) goodWrong++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const kinds = new Map<string, number>();
  let sent = 0;
  let conn = await connect();
  let answered = 0;
  let oversized = 0;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  while (sent < FRAMES) {
    // a batch of frames, then every answer
    const batch = 40;
    const before = conn.answers.length;
    for (let k = 0; k < batch; k++) {
      const f = frame(rnd, valid);
      kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      conn.ws.send(f.data, { binary: typeof f.data !== 'string' });
    }
    sent += batch;
    await until(() => conn.answers.length >= before + batch, `answers to batch ending at frame ${sent}`);
    for (const a of conn.answers.slice(before)) {
      assert.ok(a.type === 'error' || a.type === 'result', `an answer, not ${a.type}`);
      if (a.type === 'error') assert.ok(a.message.length > 10, 'errors say what is wrong');
    }
    answered += conn.answers.length - before;
    conn.answers.length = 0;

    // now and then: a flood, and an oversized frame that closes this connection (1009)
    if (rnd() < 0.05) {
      const flood = 300;
      for (let k = 0; k < flood; k++) conn.ws.send(valid);
      sent += flood;
      await until(() => conn.answers.length >= flood, 'answers to a flood');
      assert.ok(conn.answers.some((a) => a.type === 'error' && /too many|at most/.test(a.message)));
      answered += conn.answers.length;
      conn.answers.length = 0;
      kinds.set('flood', (kinds.get('flood') ?? 0) + flood);
    }
    if (rnd() < 0.04) {
      conn.ws.send(new Uint8Array(8192 + ((rnd() * 100_000) | 0)));
      sent++;
      oversized++;
      assert.equal(await conn.closed, 1009);
      conn = await connect();
    }
  }
  stop = true;
  await goodLoop;
  conn.ws.close();
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

  assert.equal(answered + oversized, sent, 'every frame was answered or closed its connection');
  assert.ok(oversized > 0 && kinds.size >= 10, `all kinds were tried: ${[...kinds.keys()]}`);
  assert.equal(goodWrong, 0, `the good client got ${goodWrong} wrong answers out of ${goodSent}`);
  assert.ok(goodSent > 20, 'the good client kept working during the fuzz');
  assert.ok(heapGrowth < 32 * 1024 * 1024, `heap grew by ${(heapGrowth / 1e6).toFixed(1)} MB`);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  await until(() => s.app.socket.wss.clients.size === 1, 'only the good client to remain connected');
  good.ws.close();
});

test('a client that stops reading is cut off instead of being buffered without bound', async () => {
  const reader = await connect();
  // pause reading at the TCP level: the server's send buffer fills up
  (reader.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const big = encodeInferRequest(1, digits[1].pixels, Encoding.Float32); // ~60 KB answers
  const code = await new Promise<number>((resolve) => {
    reader.ws.once('close', (c) => resolve(c));
    const timer = setInterval(() => {
      if (reader.ws.readyState !== reader.ws.OPEN) return clearInterval(timer);
      for (let k = 0; k < 8; k++) reader.ws.send(big);
    }, 10);
    // resume after a while so the close frame can be read
    setTimeout(() => (reader.ws as unknown as { _socket: { resume(): void } })._socket.resume(), 4000);
  });
  assert.ok([1008, 1006].includes(code), `closed with ${code}`);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});
