// MODEL_PATH=<an .onnx>: the server process reads a model of another shape with the element's ONNX reader,
// says which in HELLO (hash, input, layers), classifies with it exactly as onnxruntime does on the same
// file, and an element whose model differs is told so in words.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Encoding,
  encodeHello,
  encodeInferRequest,
  ErrorCode,
  type HelloInfo,
} from 'cnn-visualizer/protocol';
import knex from 'knex';
import * as ort from 'onnxruntime-web';
import { WebSocket, WebSocketServer } from 'ws';
import { smallVgg } from '../../cnn-viz-element/test/helpers/onnx-models.ts';
import { WebSocketBackend } from '../../cnn-viz-element/src/inference/websocket-backend.ts';
import { loadOnnx } from '../../cnn-viz-element/src/onnx/index.ts';
import { parseNormalization, type ModelDescription } from '../../cnn-viz-element/src/model/description.ts';
import { loadConfig } from '../src/config.ts';
import { TEST_DATABASE_URL } from './helpers.ts';
import { spawnServer, type ServerProcess } from './server-process.ts';
import { answer, client } from './ws-client.ts';

const WsImpl = WebSocket as unknown as typeof globalThis.WebSocket;
const vgg = smallVgg(); // 3×32×32, ends in logits: a model unlike the shipped one
const INPUT = 3 * 32 * 32;

/** A picture for the model: seeded bytes (any picture will do: we compare with onnxruntime). */
function picture(seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: INPUT }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
}

/** The model's own output for `pixels`, from onnxruntime on the original file, normalised (p/255 − 0.5)/0.5 here. */
async function direct(session: ort.InferenceSession, pixels: Uint8Array): Promise<Float32Array> {
  const input = Float32Array.from(pixels, (p) => (p / 255 - 0.5) / 0.5);
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, 32, 32]),
  });
  return out[session.outputNames[0]].data as Float32Array;
}

describe('MODEL_PATH=<an .onnx>', () => {
  let dir: string;
  let server: ServerProcess;
  let wsUrl: string;
  let session: ort.InferenceSession;
  let page: ModelDescription;
  // a database of its own on the real Postgres (the embedded one takes half a minute to start on a busy machine)
  const dbName = `cnn_model_path_${process.pid}`;
  const admin = knex({ client: 'pg', connection: TEST_DATABASE_URL });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-model-path-'));
    writeFileSync(join(dir, 'vgg.onnx'), vgg.bytes);
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.raw(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(TEST_DATABASE_URL);
    dbUrl.pathname = `/${dbName}`;
    server = await spawnServer({
      MODEL_PATH: join(dir, 'vgg.onnx'),
      MODEL_NORMALIZATION: '0.5/0.5',
      DATABASE_URL: dbUrl.href,
    });
    wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    ort.env.wasm.numThreads = 1;
    session = await ort.InferenceSession.create(vgg.bytes);
    // the page's own reading of the same file, normalised as the server was told
    page = (await loadOnnx(vgg.bytes, { normalization: parseNormalization('0.5/0.5') })).description;
  });
  after(async () => {
    await session?.release();
    assert.equal(await server?.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
  });

  test('HELLO names the file by its SHA-256 and gives its input and layers; RESULTs are onnxruntime’s', async () => {
    const c = await client(wsUrl);
    await c.until((m) => m.length >= 1);
    assert.ok(c.messages[0].type === 'hello');
    const hello: HelloInfo = c.messages[0].hello;
    assert.equal(hello.model.sha256, createHash('sha256').update(vgg.bytes).digest('hex'));
    assert.deepEqual(hello.input?.shape, vgg.input);
    assert.deepEqual(
      hello.input?.normalization && [hello.input.normalization.mean, hello.input.normalization.std],
      [0.5, 0.5],
    );
    assert.equal(hello.input?.ink, 'bright');
    assert.deepEqual(
      hello.layers.map((l) => [l.kind, l.shape]),
      vgg.expected,
    );
    assert.deepEqual(hello.checkpoints, []);
    assert.ok(hello.limits.maxFrameBytes >= 8 + INPUT, 'an INFER of 3×32×32 bytes fits');
    for (const [i, seed] of [1, 2, 3].entries()) c.ws.send(encodeInferRequest(10 + i, picture(seed)));
    for (const [i, seed] of [1, 2, 3].entries()) {
      const r = await answer(c, 10 + i);
      assert.ok(r.type === 'result', r.type === 'error' ? r.message : '');
      assert.deepEqual(
        r.layers.map((l) => l.length),
        vgg.expected.map(([, shape]) => shape.reduce((a, b) => a * b, 1)),
      );
      const want = await direct(session, picture(seed));
      const got = r.layers[r.layers.length - 1];
      got.forEach((v, k) => assert.ok(Math.abs(v - want[k]) <= 1e-4, `logit ${k}: ${v} ≠ ${want[k]}`));
      assert.equal(r.prediction, want.indexOf(Math.max(...want)));
    }
    c.ws.close();
  });

  test('an INFER of another size, or naming a checkpoint, is an ERROR; the connection keeps working', async () => {
    const c = await client(wsUrl);
    c.ws.send(encodeInferRequest(1, new Uint8Array(784)));
    c.ws.send(encodeInferRequest(2, picture(4), Encoding.Uint8, 0));
    c.ws.send(encodeInferRequest(3, picture(4), Encoding.Uint8));
    const wrongSize = await answer(c, 1);
    assert.ok(wrongSize.type === 'error');
    assert.equal(wrongSize.code, ErrorCode.MalformedFrame);
    assert.match(wrongSize.message, new RegExp(`${8 + INPUT} bytes`));
    const noCheckpoints = await answer(c, 2);
    assert.ok(noCheckpoints.type === 'error');
    assert.equal(noCheckpoints.code, ErrorCode.UnknownCheckpoint);
    assert.match(noCheckpoints.message, /without checkpoints/);
    assert.equal((await answer(c, 3)).type, 'result');
    c.ws.close();
  });

  test("the element's WebSocketBackend runs it when the page reads the same file", async () => {
    // as the element creates it for `model-url="….onnx" backend="server"`: the server must run that file
    const backend = new WebSocketBackend(page, { url: wsUrl, WebSocketImpl: WsImpl, sameFile: true });
    try {
      const a = await backend.infer(picture(5));
      const want = await direct(session, picture(5));
      a.layers[a.layers.length - 1].data.forEach((v, k) => assert.ok(Math.abs(v - want[k]) <= 1e-4));
      assert.equal(a.prediction, want.indexOf(Math.max(...want)));
      assert.deepEqual(a.layers[0].shape, [3, 32, 32]);
    } finally {
      backend.dispose();
    }
  });

  test('an element whose model differs is told in words what differs', async () => {
    const shipped: ModelDescription = JSON.parse(readFileSync(loadConfig({}).modelPath, 'utf8'));
    const cases: [ModelDescription, RegExp[]][] = [
      [
        shipped,
        [
          /^the server runs the model .+\(version [0-9a-f]{16}, 12 layers, input 3×32×32\)/,
          /this page's model is lenet5-mnist \(version [0-9a-f]{16}, 13 layers, input 1×28×28\)/,
          /the server's takes 3×32×32 inputs, this page's 1×28×28/,
          /their weights differ/,
        ],
      ],
      [{ ...page, version: 'ffffffffffffffff' }, [/their weights differ/]],
      [
        { ...page, input: { ...page.input, normalization: parseNormalization('unit') } },
        [
          /the server normalises the input as pixel × 0\.00392157, minus 0\.5, divided by 0\.5; this page as .*minus 0, divided by 1/,
        ],
      ],
    ];
    for (const [model, patterns] of cases) {
      const backend = new WebSocketBackend(model, { url: wsUrl, WebSocketImpl: WsImpl });
      try {
        const error = await backend.connect().then(
          () => assert.fail('connected to a server running another model'),
          (e: Error) => e,
        );
        for (const p of patterns) assert.match(error.message, p);
        // and every request says the same, without reconnecting
        await assert.rejects(backend.infer(new Uint8Array(layerCount(model))), { message: error.message });
      } finally {
        backend.dispose();
      }
    }
  });

  test('a page that read the model from its file is refused by a server that does not say which file it runs', async () => {
    // the same network and input, but a HELLO without the file's SHA-256 (as an older server sends)
    const real = await client(wsUrl);
    await real.until((m) => m.length >= 1);
    const first = real.messages[0];
    assert.ok(first.type === 'hello');
    real.ws.close();
    const { sha256, ...model } = first.hello.model;
    assert.ok(sha256);
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    silent.on('connection', (ws) => ws.send(encodeHello({ ...first.hello, model })));
    await new Promise((r) => silent.once('listening', r));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const strict = new WebSocketBackend(page, { url, WebSocketImpl: WsImpl, sameFile: true });
    const lenient = new WebSocketBackend(page, { url, WebSocketImpl: WsImpl });
    try {
      await assert.rejects(strict.connect(), {
        message:
          'the server does not say which ONNX file it runs (its hello has no SHA-256), and this page\'s model was read from its own ONNX file: use backend="local"',
      });
      // a description's model (not read in the page) is matched by its layers and input alone
      await lenient.connect();
    } finally {
      strict.dispose();
      lenient.dispose();
      await new Promise((r) => silent.close(r));
    }
  });

  test('the gallery says it keeps 28×28 drawings (501), not a crash', async () => {
    const res = await fetch(`${server.url}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels: Array.from({ length: 784 }, () => 0), label: 3 }),
    });
    assert.equal(res.status, 501);
    assert.match(((await res.json()) as { error: string }).error, /28×28 drawings.*3×32×32/);
  });
});

const layerCount = (m: ModelDescription) => m.input.shape.reduce((a, b) => a * b, 1);
