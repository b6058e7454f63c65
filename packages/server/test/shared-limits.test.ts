// Limits shared by every process of a deployment: two servers on one real Postgres schema (as two
// processes behind Caddy are) hold a client to one limit between them, a restart forgets nothing, and the
// WebSocket connections a killed process held stop counting when its lease runs out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { clientHash } from '../src/http/client-id.ts';
import { CONNECTIONS_TABLE } from '../src/limits/connection-counts.ts';
import { json, mnistDigits, startServer, type TestServer } from './helpers.ts';

const BURST = 3;
const MAX_SOCKETS = 3;
const limits = {
  submissionsBurst: BURST,
  submissionsPerMinute: BURST,
  wsMaxConnectionsPerClient: MAX_SOCKETS,
};

let a: TestServer;
let b: TestServer;
before(async () => {
  a = await startServer('postgres', { trustProxy: 'loopback', limits });
  b = await startServer('postgres', { trustProxy: 'loopback', limits, schema: a.schema });
});
after(async () => {
  await b?.close();
  await a?.close();
});

/** The installation's salt (the servers create it on first use). */
const salt = async () => (await a.db('server_settings').where('key', 'client_salt').first()).value as string;

const until = async (what: string, ok: () => Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('two processes on one Postgres', () => {
  test('a client is held to one submission limit, whichever process it reaches; a restart forgets nothing', async () => {
    const [d] = await mnistDigits(1, 300);
    const submit = (s: TestServer, address: string) =>
      fetch(`${s.url}/api/gallery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await submit(i % 2 ? b : a, '203.0.113.5')).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = await json(await submit(a, '203.0.113.5'));
    assert.match(refused.body.error, /too many submissions/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // another client is not affected
    assert.equal((await submit(b, '203.0.113.6')).status, 201);
    // a third process started after (a restart) still knows
    const c = await startServer('postgres', { trustProxy: 'loopback', limits, schema: a.schema });
    try {
      assert.equal((await submit(c, '203.0.113.5')).status, 429);
    } finally {
      await c.close();
    }
    // the limit lives in the database, under the client's hash, never its address
    const rows = await a.db('rate_limits').select('key');
    assert.ok(rows.length >= 2);
    assert.ok(!JSON.stringify(rows).includes('203.0.113'), 'no address in the limits table');
  });

  test('WebSocket connections per client are counted across processes', async () => {
    const ADDRESS = '203.0.113.20';
    const client = clientHash(await salt(), ADDRESS);
    const published = async () =>
      Number(
        (await a.db(CONNECTIONS_TABLE).where('client_hash', client).sum('connections as n').first())?.n ?? 0,
      );
    const open = (s: TestServer, address = ADDRESS) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(s.wsUrl, { headers: { 'x-forwarded-for': address } });
        ws.once('message', () => resolve(ws)); // HELLO
        ws.once('error', reject);
      });
    const held = [await open(a), await open(a)];
    await until('a to publish its 2 connections', async () => (await published()) === 2);
    held.push(await open(b));
    await assert.rejects(open(b), /429/);
    await until('b to publish its connection', async () => (await published()) === 3);
    await assert.rejects(open(a), /429/);
    // another client is not affected
    (await open(b, '203.0.113.21')).close();
    // when one closes on a, there is room again on b
    held.shift()!.close();
    await until('a to publish the close', async () => (await published()) === 2);
    held.push(await open(b));
    for (const ws of held) ws.close();
    await until('every count withdrawn', async () => (await published()) === 0);
  });

  test('connections of a process that stopped renewing its lease (killed) stop counting', async () => {
    const client = clientHash(await salt(), '203.0.113.30');
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(a.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.30' } });
        ws.once('message', () => resolve(ws));
        ws.once('error', reject);
      });
    // a process killed a moment ago left its counts, its lease still running: they count
    await a.db(CONNECTIONS_TABLE).insert({
      instance: 'killed',
      client_hash: client,
      connections: MAX_SOCKETS,
      expires_at: Date.now() + 60_000,
    });
    await assert.rejects(open(), /429/);
    // its lease ran out: they do not
    await a
      .db(CONNECTIONS_TABLE)
      .where('instance', 'killed')
      .update({ expires_at: Date.now() - 1 });
    (await open()).close();
  });
});
