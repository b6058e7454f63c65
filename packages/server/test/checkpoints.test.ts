// Training checkpoints over the wire: HELLO lists them, an INFER names one, the server loads it on first
// use and answers exactly what onnxruntime answers for that file; a bad index is an ERROR, not a crash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocketBackend } from '../../cnn-viz-element/src/inference/websocket-backend.ts';
import { Encoding, encodeInferRequest, ErrorCode, type ServerMessage } from 'cnn-visualizer/protocol';
import * as ort from 'onnxruntime-web';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.ts';
import { mnistDigits, startServer, type TestServer } from './helpers.ts';
import { answer, client } from './ws-client.ts';

const modelPath = loadConfig({}).modelPath;
const modelDir = dirname(modelPath);
/** cnn.json as written by the trainer, read here on its own (not through the server's reader). */
const description = JSON.parse(readFileSync(modelPath, 'utf8'));
const checkpoints: { step: number; epoch: number; onnx: string; testAccuracy: number }[] =
  description.checkpoints;
const outputs: string[] = description.layers.slice(1).map((l: { name: string }) => l.name);

/** Every layer for one MNIST digit, from onnxruntime run directly on `file` (normalised here). */
const sessions = new Map<string, Promise<ort.InferenceSession>>();
async function direct(file: string, pixels: Uint8Array): Promise<Float32Array[]> {
  ort.env.wasm.numThreads = 1;
  if (!sessions.has(file))
    sessions.set(file, ort.InferenceSession.create(new Uint8Array(readFileSync(join(modelDir, file)))));
  const session = await sessions.get(file)!;
  const { scale, mean, std } = description.input.normalization;
  const input = Float32Array.from(pixels, (p) => (p * scale - mean) / std);
  const out = await session.run({
    [description.input.name]: new ort.Tensor('float32', input, [1, 1, 28, 28]),
  });
  return outputs.map((name) => out[name].data as Float32Array);
}

const result = (m: ServerMessage) => {
  assert.equal(m.type, 'result', m.type === 'error' ? m.message : m.type);
  return m as Extract<ServerMessage, { type: 'result' }>;
};

function assertLayersEqual(got: Float32Array[], want: Float32Array[], what: string) {
  assert.equal(got.length, want.length, what);
  got.forEach((layer, li) => {
    assert.equal(layer.length, want[li].length, `${what}: layer ${li}`);
    for (let k = 0; k < layer.length; k++)
      assert.ok(
        Math.abs(layer[k] - want[li][k]) <= 1e-5,
        `${what}: layer ${li}[${k}] ${layer[k]} ≠ ${want[li][k]}`,
      );
  });
}

describe('checkpoints over WS /ws', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer('postgres', {
      limits: { wsBurst: 1000, wsRequestsPerSecond: 1000, wsMaxInFlight: 100 },
    });
  });
  after(async () => {
    await s.close();
    for (const p of sessions.values()) await (await p).release();
  });

  test('HELLO names the model by its ONNX file hash and lists its checkpoints; none is loaded yet', async () => {
    const c = await client(s.wsUrl);
    await c.until((m) => m.length >= 1);
    const hello = c.messages[0];
    assert.ok(hello.type === 'hello');
    const sha = createHash('sha256')
      .update(readFileSync(join(modelDir, description.onnx)))
      .digest('hex');
    assert.equal(hello.hello.model.sha256, sha);
    assert.ok(sha.startsWith(hello.hello.model.version), 'the version is the hash cnn.json carries');
    assert.deepEqual(hello.hello.input?.shape, [1, 28, 28]);
    assert.deepEqual(
      hello.hello.checkpoints,
      checkpoints.map(({ step, epoch, testAccuracy }) => ({ step, epoch, testAccuracy })),
    );
    assert.equal(s.runner.loadedCheckpoints, 0, 'checkpoint files are read on first request only');
    c.ws.close();
  });

  test('checkpoint 0 answers near chance, no checkpoint the shipped answer; each equals onnxruntime on its file', async () => {
    const c = await client(s.wsUrl);
    const digits = await mnistDigits(20, 40);
    const last = checkpoints.length - 1;
    const cases = digits.flatMap((d, i) => [
      { id: 100 + i, pixels: d.pixels, label: d.label, checkpoint: null, file: description.onnx },
      { id: 200 + i, pixels: d.pixels, label: d.label, checkpoint: 0, file: checkpoints[0].onnx },
      { id: 300 + i, pixels: d.pixels, label: d.label, checkpoint: 3, file: checkpoints[3].onnx },
      { id: 400 + i, pixels: d.pixels, label: d.label, checkpoint: last, file: checkpoints[last].onnx },
    ]);
    // all at once, checkpoints interleaved: the server batches per checkpoint and must not mix them up
    for (const k of cases) c.ws.send(encodeInferRequest(k.id, k.pixels, Encoding.Float32, k.checkpoint));
    /** per checkpoint: the answers that were right, and the probability given to the right digit */
    const score = new Map<number | null, { right: number; p: number }>();
    for (const k of cases) {
      const r = result(await answer(c, k.id, 30_000));
      assertLayersEqual(
        r.layers,
        await direct(k.file, k.pixels),
        `checkpoint ${k.checkpoint}, digit ${k.id % 100}`,
      );
      const sc = score.get(k.checkpoint) ?? { right: 0, p: 0 };
      sc.right += r.prediction === k.label ? 1 : 0;
      sc.p += r.layers[r.layers.length - 1][k.label] / digits.length;
      score.set(k.checkpoint, sc);
    }
    // random weights: right about as often as a guess (1 in 10), the right digit given about 0.1
    const untrained = score.get(0)!;
    assert.ok(untrained.right <= 5 && untrained.p <= 0.2, `checkpoint 0: ${JSON.stringify(untrained)}`);
    for (const shipped of [score.get(null)!, score.get(last)!])
      assert.ok(shipped.right >= 19 && shipped.p >= 0.9, `the shipped weights: ${JSON.stringify(shipped)}`);
    // cnn.onnx is the last checkpoint: served by the model's own session, not loaded twice
    assert.equal(s.runner.loadedCheckpoints, 2);
    c.ws.close();
  });

  test('a checkpoint the model does not list is an ERROR naming the range; the connection keeps working', async () => {
    const c = await client(s.wsUrl);
    const [d] = await mnistDigits(1, 70);
    c.ws.send(encodeInferRequest(1, d.pixels, Encoding.Float32, checkpoints.length));
    c.ws.send(encodeInferRequest(2, d.pixels, Encoding.Uint8, 254));
    c.ws.send(encodeInferRequest(3, d.pixels, Encoding.Uint8, 1));
    for (const id of [1, 2]) {
      const e = await answer(c, id);
      assert.ok(e.type === 'error');
      assert.equal(e.code, ErrorCode.UnknownCheckpoint);
      assert.match(e.message, new RegExp(`checkpoints 0–${checkpoints.length - 1}`));
    }
    const r = result(await answer(c, 3, 30_000));
    assert.equal(r.encoding, Encoding.Uint8);
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    c.ws.close();
  });

  test("the element's WebSocketBackend runs the chosen checkpoint; requests in flight keep theirs", async () => {
    const backend = new WebSocketBackend(description, {
      url: s.wsUrl,
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      await backend.connect();
      const [d] = await mnistDigits(1, 90);
      const shipped = await backend.infer(d.pixels);
      backend.setCheckpoint(0);
      const early = backend.infer(d.pixels); // sent with checkpoint 0…
      backend.setCheckpoint(5); // …whatever is chosen next
      const later = backend.infer(d.pixels);
      backend.setCheckpoint(null);
      const again = await backend.infer(d.pixels);
      const want = async (file: string) => (await direct(file, d.pixels)).at(-1)!;
      const close = (got: Float32Array, exp: Float32Array) =>
        got.every((p, i) => Math.abs(p - exp[i]) <= 1e-5);
      assert.ok(close(shipped.probabilities, await want(description.onnx)), 'shipped weights');
      assert.ok(close((await early).probabilities, await want(checkpoints[0].onnx)), 'checkpoint 0');
      assert.ok(close((await later).probabilities, await want(checkpoints[5].onnx)), 'checkpoint 5');
      assert.ok(close(again.probabilities, await want(description.onnx)), 'back to the shipped weights');
      assert.equal(again.prediction, d.label);
      assert.throws(
        () => backend.setCheckpoint(checkpoints.length),
        /checkpoint must be null or an integer 0–7/,
      );
      assert.throws(() => backend.setCheckpoint(1.5), RangeError);
    } finally {
      backend.dispose();
    }
  });
});
