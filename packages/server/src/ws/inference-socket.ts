/**
 * WS /ws: the binary inference protocol (`cnn-visualizer/protocol`). HELLO on connect; each INFER is
 * answered with a RESULT or an ERROR carrying its request id; several may be in flight. Malformed
 * frames get an ERROR naming the problem and the connection lives on; oversized frames close the
 * connection with 1009 (ws's maxPayload). Per-connection rate limit, in-flight limit, ping/pong.
 */
import type { IncomingMessage, Server } from 'node:http';
import {
  decodeClientFrame,
  Encoding,
  encodeError,
  encodeHello,
  encodeResult,
  ErrorCode,
  inferFrameBytes,
  PROTOCOL_VERSION,
  ProtocolError,
  type HelloInfo,
} from 'cnn-visualizer/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Limits } from '../config.ts';
import { TokenBucket } from '../http/token-bucket.ts';
import { CheckpointUnavailableError, type ModelRunner } from '../inference/model-runner.ts';
import type { ConnectionCounts } from '../limits/connection-counts.ts';
import type { Logger } from '../logger.ts';
import type { Metrics, WsOutcome } from '../metrics.ts';
import { checkedHello } from './hello.ts';

/** A client that stops reading may not make us buffer more than this per connection. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
const PING_INTERVAL_MS = 30_000;

export interface InferenceSocket {
  wss: WebSocketServer;
  /** Closes every connection with 1001 (going away). */
  closeAll(): Promise<void>;
}

export function attachInferenceSocket(
  server: Server,
  deps: {
    runner: ModelRunner;
    limits: Limits;
    logger: Logger;
    metrics: Metrics;
    /** open connections per client, on every process (`limits/connection-counts.ts`) */
    connections: ConnectionCounts;
    isShuttingDown: () => boolean;
    /** Who the client is (its salted address hash; TRUST_PROXY applies, as for the HTTP routes). */
    clientKey: (req: IncomingMessage) => Promise<string>;
  },
): InferenceSocket {
  const { runner, limits, logger, metrics, connections } = deps;
  const count = (outcome: WsOutcome) => metrics.wsRequests.inc({ outcome });
  // a model with a larger input than 1×28×28 needs larger INFER frames (3×64×64: 12,296 bytes)
  const maxPayload = Math.max(limits.wsMaxPayload, inferFrameBytes(runner.inputSize));
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    maxPayload,
    // open connections per client, refused at the upgrade (HTTP 429) above the limit
    verifyClient: (info, accept) => {
      void (async () => {
        const key = await deps.clientKey(info.req);
        if ((await connections.count(key)) >= limits.wsMaxConnectionsPerClient) {
          metrics.limiterRefusals.inc({ limit: 'ws_connections' });
          return accept(
            false,
            429,
            `too many connections: at most ${limits.wsMaxConnectionsPerClient} per client`,
          );
        }
        // counted from now until its socket closes (whether or not the upgrade completes)
        connections.add(key);
        info.req.socket.once('close', () => connections.remove(key));
        accept(true);
      })().catch((e: Error) => {
        logger.error({ err: e }, 'websocket upgrade failed');
        accept(false, 500, 'internal error');
      });
    },
  });
  const { description } = runner;
  const hello: HelloInfo = checkedHello({
    protocol: PROTOCOL_VERSION,
    model: { name: description.name, version: runner.version, sha256: runner.sha256 },
    input: {
      shape: description.input.shape,
      normalization: description.input.normalization,
      ink: description.input.ink ?? 'bright',
    },
    layers: description.layers.slice(1).map((l) => ({ name: l.name, kind: l.kind, shape: l.shape })),
    checkpoints: runner.checkpoints.map((c) => ({
      step: c.step,
      epoch: c.epoch,
      testAccuracy: c.testAccuracy,
    })),
    limits: {
      maxInFlight: limits.wsMaxInFlight,
      requestsPerSecond: limits.wsRequestsPerSecond,
      maxFrameBytes: maxPayload,
    },
  });
  const helloFrame = encodeHello(hello);
  const alive = new WeakMap<WebSocket, boolean>();

  wss.on('connection', (ws) => {
    metrics.wsConnectionsOpened.inc();
    metrics.wsConnections.inc();
    ws.once('close', () => metrics.wsConnections.dec());
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const bucket = new TokenBucket(limits.wsBurst, limits.wsRequestsPerSecond);
    let inFlight = 0;
    ws.send(helloFrame);
    const send = (bytes: Uint8Array) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes);
    };
    ws.on('message', (data, isBinary) => {
      const received = performance.now();
      if (!isBinary) {
        count('malformed');
        send(
          encodeError(
            0,
            ErrorCode.MalformedFrame,
            'text frames are not part of the protocol: send binary INFER frames',
          ),
        );
        return;
      }
      let request;
      try {
        request = decodeClientFrame(data as Buffer, runner.inputSize);
      } catch (e) {
        const pe = e instanceof ProtocolError ? e : new ProtocolError(ErrorCode.MalformedFrame, String(e));
        count('malformed');
        send(encodeError(pe.id, pe.code, pe.message));
        return;
      }
      const { id, encoding, checkpoint } = request;
      if (checkpoint !== null && checkpoint >= runner.checkpoints.length) {
        count('malformed');
        return send(
          encodeError(
            id,
            ErrorCode.UnknownCheckpoint,
            runner.checkpoints.length
              ? `checkpoint ${checkpoint} does not exist: this server's model has checkpoints 0–${runner.checkpoints.length - 1}`
              : `checkpoint ${checkpoint} does not exist: this server's model comes without checkpoints`,
          ),
        );
      }
      if (deps.isShuttingDown()) {
        count('unavailable');
        return send(encodeError(id, ErrorCode.Unavailable, 'the server is shutting down'));
      }
      const taken = bucket.take();
      if (!taken.ok) {
        count('rate_limited');
        metrics.limiterRefusals.inc({ limit: 'ws_requests' });
        return send(
          encodeError(
            id,
            ErrorCode.RateLimited,
            `too many requests: at most ${limits.wsRequestsPerSecond}/s; retry in ${taken.retryAfter} s`,
          ),
        );
      }
      if (inFlight >= limits.wsMaxInFlight) {
        count('too_many_in_flight');
        metrics.limiterRefusals.inc({ limit: 'ws_in_flight' });
        return send(
          encodeError(
            id,
            ErrorCode.TooManyInFlight,
            `at most ${limits.wsMaxInFlight} requests may be in flight per connection`,
          ),
        );
      }
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        // a client that does not read its answers: cut it off rather than buffer without bound
        // (an error frame would only add to what it does not read)
        logger.warn({ buffered: ws.bufferedAmount }, 'closing a websocket that does not read its answers');
        ws.close(1008, 'you are not reading the answers');
        setTimeout(() => ws.terminate(), 2000).unref();
        return;
      }
      inFlight++;
      const pixels = Uint8Array.from(request.pixels); // the frame's buffer is reused by ws
      runner
        .infer(pixels, checkpoint)
        .then((r) => {
          send(
            encodeResult(
              id,
              r.prediction,
              r.layers,
              encoding === Encoding.Uint8 ? Encoding.Uint8 : Encoding.Float32,
            ),
          );
          count('answered');
          metrics.wsRequestSeconds.observe((performance.now() - received) / 1000);
        })
        .catch((e: Error) => {
          count('internal');
          logger.error({ err: e, checkpoint }, 'inference failed');
          // a checkpoint's file that cannot be loaded is the operator's to fix: say which
          send(
            encodeError(
              id,
              ErrorCode.Internal,
              e instanceof CheckpointUnavailableError ? e.message : 'the model failed to run',
            ),
          );
        })
        .finally(() => inFlight--);
    });
    ws.on('error', (e) => logger.debug({ err: e }, 'websocket error'));
  });

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  return {
    wss,
    async closeAll() {
      clearInterval(pinger);
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(1001, 'server shutting down');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2000).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
