/**
 * `npm run load`: the server under load on loopback, bounded in time and count, stops by itself.
 *
 * - LOAD_CLIENTS (500) WebSocket clients, each inferring in a closed loop (one request in flight) for
 *   LOAD_SECONDS (60);
 * - a stream of gallery submissions from many readers (distinct addresses, as Caddy forwards them) and of
 *   page and API reads;
 * - one abusive reader flooding submissions, who must be held to the rate limit while the others are not.
 *
 * Prints inferences/s, p50/p99 latency, errors, and the server's resident memory before and after.
 */
import { readFileSync } from 'node:fs';
import { decodeServerFrame, encodeInferRequest, Encoding } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { loadMnist } from '../../../model/src/mnist.ts';
import { spawnServer } from '../test/server-process.ts';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 500);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const mnist = loadMnist('test');
const digit = (i: number) => mnist.images.subarray((i % 10_000) * 784, ((i % 10_000) + 1) * 784);

const server = await spawnServer({ TRUST_PROXY: 'loopback' });
const url = server.url;
const rss = () =>
  Number(readFileSync(`/proc/${server.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const wsUrl = url.replace(/^http/, 'ws') + '/ws';

// warm up, then measure memory before
await fetch(`${url}/api/gallery`);
const rssBefore = rss();
const latencies: number[] = [];
let inferences = 0;
let wsErrors = 0;
let running = true;
const deadline = Date.now() + SECONDS * 1000;

async function wsClient(k: number) {
  // each simulated reader has its own address (as Caddy forwards it): one address may hold only
  // WS_MAX_CONNECTIONS_PER_CLIENT connections
  const ws = new WebSocket(wsUrl, { headers: { 'x-forwarded-for': `10.2.${k >> 8}.${k & 255}` } });
  ws.binaryType = 'nodebuffer';
  let id = 0;
  let sentAt = 0;
  const next = () => {
    if (!running || ws.readyState !== ws.OPEN) return ws.close();
    sentAt = performance.now();
    ws.send(encodeInferRequest(++id, digit(k * 131 + id), Encoding.Uint8));
  };
  ws.on('message', (data) => {
    const m = decodeServerFrame(data as Buffer);
    if (m.type === 'hello') return next();
    if (m.type === 'error') wsErrors++;
    else {
      inferences++;
      latencies.push(performance.now() - sentAt);
    }
    next();
  });
  // (handlers before the socket opens: the server's HELLO can arrive in the same packet as the upgrade)
  ws.on('error', () => wsErrors++);
  await new Promise((r) => ws.once('close', r));
}

const httpStats = { pages: 0, submissions: 0, submissionErrors: 0, abusive201: 0, abusive429: 0, other: 0 };
async function readers() {
  let i = 0;
  while (Date.now() < deadline) {
    i++;
    // a new reader (its own address) shares a drawing, another loads pages
    const r = await fetch(`${url}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${(i >> 8) & 255}.${i & 255}` },
      body: JSON.stringify({
        pixels: Buffer.from(digit(i)).toString('base64'),
        label: mnist.labels[i % 10_000],
      }),
    });
    if (r.status === 201) httpStats.submissions++;
    else httpStats.submissionErrors++;
    await r.arrayBuffer();
    for (const p of ['/', '/api/gallery?limit=24', '/api/stats', '/api/random_image']) {
      const g = await fetch(url + p);
      await g.arrayBuffer();
      if (g.ok) httpStats.pages++;
      else httpStats.other++;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}
async function abuser() {
  while (Date.now() < deadline) {
    const r = await fetch(`${url}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.66.6.6' },
      body: JSON.stringify({ pixels: Buffer.from(digit(7)).toString('base64'), label: 1 }),
    });
    await r.arrayBuffer();
    if (r.status === 201) httpStats.abusive201++;
    else if (r.status === 429) httpStats.abusive429++;
    else httpStats.other++;
    await new Promise((res) => setTimeout(res, 5)); // ~200 submissions/s: a flood, not a CPU hog for the bench
  }
}

const t0 = performance.now();
const ticker = setInterval(
  () =>
    console.error(
      't',
      ((performance.now() - t0) / 1000).toFixed(0),
      inferences,
      wsErrors,
      JSON.stringify(httpStats),
    ),
  1000,
);
const clients = Array.from({ length: CLIENTS }, (_, k) => wsClient(k));
setTimeout(() => (running = false), SECONDS * 1000);
await Promise.all([...clients, readers(), abuser()]);
clearInterval(ticker);
const elapsed = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 3000));
const rssAfter = rss();
await server.stop();

latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
console.log(`\n| what | figure |\n|---|---:|`);
console.log(`| WebSocket clients, closed loop, ${elapsed.toFixed(0)} s | ${CLIENTS} |`);
console.log(`| inferences/s | ${Math.round(inferences / elapsed).toLocaleString('en')} |`);
console.log(`| latency p50 / p99 | ${q(0.5).toFixed(1)} / ${q(0.99).toFixed(1)} ms |`);
console.log(`| WebSocket errors | ${wsErrors} |`);
console.log(
  `| submissions from readers (201) / refused | ${httpStats.submissions} / ${httpStats.submissionErrors} |`,
);
console.log(`| page and API reads (200) / failed | ${httpStats.pages} / ${httpStats.other} |`);
console.log(
  `| abusive reader: accepted / refused with 429 | ${httpStats.abusive201} / ${httpStats.abusive429} |`,
);
console.log(`| server memory (RSS) before → after | ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB |`);
