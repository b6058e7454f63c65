// Faults under load, counted: nothing a client was told is stored may be lost.
// - The database is cut (a TCP proxy in front of the real Postgres) and restored, three times, while
//   readers keep submitting: every submission answered 201 is in the database afterwards, the others got
//   503 with a message, and inference over the WebSocket never stopped.
// - SIGTERM while submissions and inferences are in flight: every 201 is committed, every WebSocket
//   request is answered or its socket closed with 1001, and the process exits 0 within 10 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import knex from 'knex';
import { decodeServerFrame, encodeInferRequest, Encoding } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';
import { dbProxy, mnistDigits, startServer, TEST_DATABASE_URL } from './helpers.ts';
import { spawnServer } from './server-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('database cut three times under load: every 201 is in the database, inference never stops', async () => {
  const proxy = await dbProxy(new URL(TEST_DATABASE_URL));
  const s = await startServer('postgres', {
    databaseUrl: proxy.url,
    trustProxy: 'loopback',
    limits: { submissionsBurst: 1e6, submissionsPerMinute: 1e6 },
  });
  const digits = await mnistDigits(10, 900);
  const acknowledged: number[] = [];
  const statuses = new Map<number, number>();
  let running = true;
  const reader = async (k: number) => {
    for (let i = 0; running; i++) {
      const d = digits[(k + i) % digits.length];
      const r = await fetch(`${s.url}/api/gallery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${k}` },
        body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
      }).catch(() => null);
      const status = r?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) acknowledged.push(((await r!.json()) as { id: number }).id);
      else if (r) {
        assert.equal(status, 503, `a submission during an outage: ${status}`);
        assert.match(((await r.json()) as { error: string }).error, /database is unavailable/);
      }
      await sleep(5);
    }
  };
  // inference alongside, checked all the way through
  const ws = new WebSocket(s.wsUrl);
  let sent = 0;
  let answered = 0;
  ws.on('message', (m) => {
    const msg = decodeServerFrame(m as Buffer);
    if (msg.type === 'result') answered++;
  });
  await new Promise((r) => ws.once('open', r));
  const inferLoop = (async () => {
    while (running) {
      ws.send(encodeInferRequest(++sent, digits[sent % 10].pixels, Encoding.Uint8));
      await sleep(20);
    }
  })();
  try {
    const readers = [1, 2, 3, 4].map(reader);
    for (let round = 0; round < 3; round++) {
      await sleep(700);
      await proxy.cut();
      await sleep(1500);
      await proxy.restore();
    }
    await sleep(1500); // recovered: submissions succeed again
    running = false;
    await Promise.all(readers);
    await inferLoop;
    await sleep(200);

    assert.ok((statuses.get(503) ?? 0) > 0, 'the outages were seen');
    assert.ok(acknowledged.length > 20, `submissions went through (${acknowledged.length})`);
    // count them, on a connection that does not go through the proxy
    const direct = knex({ client: 'pg', connection: TEST_DATABASE_URL, searchPath: [s.schema!] });
    try {
      const rows = await direct('gallery_drawings')
        .whereIn('id', acknowledged)
        .count<{ n: string }[]>('* as n');
      assert.equal(Number(rows[0].n), acknowledged.length, 'every acknowledged submission is stored');
    } finally {
      await direct.destroy();
    }
    assert.ok(answered >= sent - 2, `inference kept answering through the outages (${answered}/${sent})`);
  } finally {
    running = false;
    ws.close();
    await s.close();
    await proxy.cut().catch(() => {});
  }
});

test('SIGTERM under load: every 201 is committed, WebSockets are answered or closed with 1001, exit 0 within 10 s', async () => {
  const dbName = `cnn_sigterm_${process.pid}`;
  const admin = knex({ client: 'pg', connection: TEST_DATABASE_URL });
  await admin.raw(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(TEST_DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const server = await spawnServer({
    DATABASE_URL: dbUrl.href,
    TRUST_PROXY: 'loopback',
    WS_REQUESTS_PER_SECOND: '100000',
    SUBMISSIONS_PER_MINUTE: '100000',
  });
  const url = server.url;
  try {
    const digits = await mnistDigits(10, 950);
    const acknowledged: number[] = [];
    let refused = 0;
    let running = true;
    const reader = async (k: number) => {
      for (let i = 0; running; i++) {
        const d = digits[(k + i) % 10];
        const r = await fetch(`${url}/api/gallery`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.1.${k}` },
          body: JSON.stringify({ pixels: Array.from(d.pixels), label: d.label }),
        }).catch(() => null); // refused once the server stops accepting
        if (r?.status === 201) acknowledged.push(((await r.json()) as { id: number }).id);
        else {
          refused++;
          if (!r) return;
        }
      }
    };
    // WebSocket clients keeping requests in flight
    const sockets = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<{ ws: WebSocket; pending: Set<number>; close: Promise<number> }>((resolve, reject) => {
            const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
            const pending = new Set<number>();
            const close = new Promise<number>((r) => ws.once('close', (code) => r(code)));
            let id = 0;
            const fire = () => {
              for (let k = 0; k < 4 && ws.readyState === ws.OPEN; k++) {
                pending.add(++id);
                ws.send(encodeInferRequest(id, digits[id % 10].pixels, Encoding.Uint8));
              }
            };
            ws.on('message', (m) => {
              const msg = decodeServerFrame(m as Buffer);
              if (msg.type === 'hello') {
                resolve({ ws, pending, close });
                fire();
              } else {
                pending.delete(msg.id);
                if (pending.size === 0) fire();
              }
            });
            ws.once('error', reject);
          }),
      ),
    );
    const readers = [1, 2, 3].map(reader);
    // stop once submissions are flowing (on a busy machine that takes longer than on a quiet one)
    for (const until = Date.now() + 30_000; acknowledged.length <= 10 && Date.now() < until;) await sleep(50);
    const t0 = Date.now();
    const exited = server.stop();
    const codes = await Promise.all(sockets.map((s) => s.close));
    assert.equal(await exited, 0);
    const took = Date.now() - t0;
    running = false;
    await Promise.all(readers);

    assert.deepEqual(codes, [1001, 1001, 1001, 1001]);
    assert.ok(took < 10_000, `exit took ${took} ms`);
    assert.ok(acknowledged.length > 10, `submissions before the stop: ${acknowledged.length}`);
    const db = knex({ client: 'pg', connection: dbUrl.href });
    try {
      const rows = await db('gallery_drawings').whereIn('id', acknowledged).count<{ n: string }[]>('* as n');
      assert.equal(Number(rows[0].n), acknowledged.length, 'every acknowledged submission is committed');
    } finally {
      await db.destroy();
    }
    assert.ok(refused >= 1, 'after the stop, new submissions are refused, not lost');
  } finally {
    server.kill();
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
  }
});
