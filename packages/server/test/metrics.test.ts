// Metrics as an operator sees them: the server process with METRICS_PORT set, scraped like Prometheus
// does, after readers infer, submit, send garbage and get refused. The public port has no /metrics.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { decodeServerFrame, encodeInferRequest, Encoding } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { mnistDigits } from './helpers.ts';
import { spawnServer } from './server-process.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** `name{labels} value` lines of Prometheus's text format, as a lookup. */
function parse(text: string) {
  const values = new Map<string, number>();
  for (const line of text.split('\n'))
    if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      values.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  return (key: string) => values.get(key);
}

test('METRICS_PORT serves what the server did: inference latency and batches, sockets, submissions, refusals, the pool, the process', async () => {
  const metricsPort = await freePort();
  const server = await spawnServer({ METRICS_PORT: String(metricsPort), SUBMISSIONS_PER_MINUTE: '2' });
  try {
    const digits = await mnistDigits(3, 2000);
    // 3 inferences over one WebSocket, and one frame that is not a request
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const answers: string[] = [];
    ws.on('message', (m) => answers.push(decodeServerFrame(m as Buffer).type));
    await new Promise((r) => ws.once('open', r));
    digits.forEach((d, i) => ws.send(encodeInferRequest(i + 1, d.pixels, Encoding.Uint8)));
    ws.send(Buffer.from('not a frame'));
    const deadline = Date.now() + 10_000;
    while (answers.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(answers.sort(), ['error', 'hello', 'result', 'result', 'result']);

    // submissions: 2 accepted, 1 invalid (the burst for 2 a minute is 5, and every attempt counts)
    const submit = (body: unknown) =>
      fetch(`${server.url}/api/gallery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const d of digits.slice(0, 2))
      assert.equal((await submit({ pixels: Array.from(d.pixels), label: d.label })).status, 201);
    assert.equal((await submit({ pixels: [1, 2, 3], label: 1 })).status, 400);
    // a flood: 2 more fit in the burst of 5, then 429
    let refused = 0;
    for (let i = 0; i < 5; i++)
      if ((await submit({ pixels: Array.from(digits[2].pixels), label: digits[2].label })).status === 429)
        refused++;
    assert.equal(refused, 3);

    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'not on the public port');
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const m = parse(await res.text());

    // every inference (3 over the socket, 4 for the accepted submissions) is in the latency histogram
    assert.equal(m('cnn_inference_seconds_count'), 3 + 4);
    assert.ok(m('cnn_inference_seconds_sum')! > 0);
    assert.equal(m('cnn_ws_request_seconds_count'), 3);
    assert.equal(m('cnn_ws_requests_total{outcome="answered"}'), 3);
    assert.equal(m('cnn_ws_requests_total{outcome="malformed"}'), 1);
    assert.equal(m('cnn_ws_connections'), 1);
    assert.equal(m('cnn_ws_connections_opened_total'), 1);
    assert.ok(m('cnn_inference_batch_size_count')! >= 1);
    assert.equal(m('cnn_inference_batch_size_bucket{le="64"}'), m('cnn_inference_batch_size_count'));
    assert.equal(m('cnn_gallery_submissions_total{outcome="created"}'), 4);
    assert.equal(m('cnn_gallery_submissions_total{outcome="invalid"}'), 1);
    assert.equal(m('cnn_gallery_submissions_total{outcome="rate_limited"}'), 3);
    assert.equal(m('cnn_limiter_refusals_total{limit="submissions"}'), 3);
    assert.equal(m('cnn_http_requests_total{method="POST",status="2xx"}'), 4);
    assert.ok(m('cnn_db_query_errors_total') === 0);
    assert.ok(m('cnn_db_pool_connections{state="free"}') !== undefined, 'the pool');
    assert.ok(m('process_resident_memory_bytes')! > 10e6, 'process metrics');
    assert.ok(m('nodejs_eventloop_lag_p99_seconds') !== undefined);
    ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
