// The hosted deployment as the README's "Deploy" section describes it, on loopback: the root Caddyfile
// validated by Caddy itself, then Caddy in front of two compiled server processes (`node dist/main.js`)
// sharing one real Postgres database. Pages, the API and the WebSocket go through Caddy; when one server
// stops, the site stays up. (scale-out.test.ts runs three and kills one.)
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knex from 'knex';
import WebSocket from 'ws';
import { decodeServerFrame, encodeInferRequest, Encoding, type ServerMessage } from 'cnn-visualizer/protocol';
import { loadMnist } from '../../../model/src/mnist.ts';
import { spawnServer } from '../../server/test/server-process.ts';
import { REPO, type RunningServer } from './helpers/server.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = `cnn_deploy_${process.pid}`;
const dbUrl = () => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.href;
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const mnist = loadMnist('test');
const digit = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

const servers: RunningServer[] = [];
let caddy: ChildProcess;
let caddyLog = '';
let site: string;

async function waitFor(url: string, ok: (r: Response) => boolean, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await fetch(url).catch(() => null);
    if (r && ok(r)) return;
    if (Date.now() > until) throw new Error(`${url} did not come up:\n${caddyLog}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** One inference over a WebSocket opened through Caddy. */
function inferOverWs(base: string, pixels: Uint8Array): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws');
    ws.binaryType = 'nodebuffer';
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = decodeServerFrame(data as Buffer);
      if (m.type === 'hello') ws.send(encodeInferRequest(7, pixels, Encoding.Uint8));
      else {
        resolve(m);
        ws.close();
      }
    });
  });
}

before(async () => {
  const admin = knex({ client: 'pg', connection: ADMIN_URL });
  await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.raw(`CREATE DATABASE ${DB}`);
  await admin.destroy();
  // request logs (LOG_LEVEL=info) tell which upstream served a request
  const env = { DATABASE_URL: dbUrl(), TRUST_PROXY: 'loopback', LOG_LEVEL: 'info' };
  // one after the other: the first applies the migrations
  servers.push(await spawnServer(env, { compiled: true }));
  servers.push(await spawnServer(env, { compiled: true }));
  const port = await freePort();
  site = `http://127.0.0.1:${port}`;
  caddy = spawn('caddy', ['run', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      SITE_ADDRESS: site,
      UPSTREAMS: servers.map((s) => `127.0.0.1:${s.port}`).join(' '),
      CADDY_ADMIN: 'off',
      HOME: process.env.HOME ?? '/tmp',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  caddy.stderr!.on('data', (d) => (caddyLog += d));
  await waitFor(`${site}/healthz`, (r) => r.ok);
});

after(async () => {
  caddy?.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.stop()));
  const admin = knex({ client: 'pg', connection: ADMIN_URL });
  await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.destroy();
});

describe('the Caddyfile', () => {
  it('passes caddy validate', () => {
    const r = spawnSync(
      'caddy',
      ['validate', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'],
      {
        env: {
          ...process.env,
          SITE_ADDRESS: 'cnn.example.org',
          UPSTREAMS: '127.0.0.1:8081 127.0.0.1:8082',
          CADDY_ADMIN: 'off',
        },
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /Valid configuration/);
  });
});

describe('through Caddy, with two server upstreams', () => {
  it('serves the site compressed, with security headers', async () => {
    const r = await fetch(`${site}/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy') ?? '', /wasm-unsafe-eval/);
    assert.equal(r.headers.get('server'), null);
    const html = await r.text();
    assert.match(html, /<cnn-visualizer/);
    // the pages' links name the public site, from the proxy's forwarded headers
    assert.ok(html.includes(`href="${site}/oembed?url=`), 'oEmbed discovery points at the proxy');
  });

  it('serves /cdn/ with cache headers and CORS', async () => {
    const r = await fetch(`${site}/cdn/cnn.json`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(r.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  });

  it('serves the API, and every upstream sees the same gallery', async () => {
    const submit = await fetch(`${site}/api/gallery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels: Array.from(digit(0)), label: 7 }),
    });
    assert.equal(submit.status, 201, await submit.clone().text());
    const { id } = await submit.json();
    for (let i = 0; i < 4; i++) {
      const list = await (await fetch(`${site}/api/gallery`)).json();
      assert.equal(list.items[0].id, id);
    }
  });

  it('carries the WebSocket inference protocol', async () => {
    const m = await inferOverWs(site, digit(0));
    assert.equal(m.type, 'result');
    assert.equal((m as { prediction: number }).prediction, mnist.labels[0]);
  });

  it('holds each client to its rate limit, whatever X-Forwarded-For it sends', async () => {
    let limited = 0;
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${site}/api/gallery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify({ pixels: Array.from(digit(i)), label: mnist.labels[i] }),
      });
      if (r.status === 429) limited++;
    }
    // one submission above, then a burst of 5 shared by both processes: Caddy replaces the spoofed
    // header with the real address
    assert.ok(limited >= 2, `${limited} of 8 submissions were refused`);
  });

  it('keeps the site working when the upstream serving a client stops', async () => {
    const marker = `which-upstream-${Date.now()}`;
    assert.equal((await fetch(`${site}/healthz`, { headers: { 'x-request-id': marker } })).status, 200);
    let serving: RunningServer | undefined;
    for (let i = 0; i < 50 && !serving; i++) {
      serving = servers.find((s) => s.output().includes(marker)); // its request log names the marker
      if (!serving) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(serving, 'one upstream logged the request');
    assert.equal(await serving.stop(), 0);
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${site}/api/stats`);
      assert.equal(r.status, 200, `request ${i} after its upstream stopped`);
      assert.equal((await fetch(`${site}/`)).status, 200);
    }
    const m = await inferOverWs(site, digit(1));
    assert.equal((m as { prediction: number }).prediction, mnist.labels[1]);
  });
});
