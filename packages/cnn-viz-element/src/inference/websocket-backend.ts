import type { ModelDescription } from '../model/description.js';
import { normalizeInput } from '../model/normalization.js';
import type { Activations, InferenceBackend } from './activations.js';
import { assembleActivations } from './assemble.js';
import { decodeServerFrame, Encoding, encodeInferRequest, ErrorCode, type HelloInfo } from './protocol.js';
import { serverCheckpointProblem, serverModelMismatch } from './server-model.js';

/** Where the connection stands: `onStatus` reports every change. */
export type WebSocketStatus = 'connecting' | 'open' | 'closed';

export interface WebSocketBackendOptions {
  /** ws:// or wss:// URL of the server's `/ws` endpoint. */
  url: string;
  /**
   * The page read the model from its ONNX file: the server must run that very file, so its HELLO must
   * name the file's SHA-256 (a server that does not say which file it runs is refused, in words).
   */
  sameFile?: boolean;
  /** `uint8` quantises activations on the wire (4× smaller); `float32` is exact. Default float32. */
  encoding?: 'float32' | 'uint8';
  /**
   * Give up on one request after this long (ms), counted from the `infer` call — reconnecting and
   * resending included. Default 10 s.
   */
  timeoutMs?: number;
  /** How long to wait for the first connection before `infer` fails (ms). Default 5 s. */
  connectTimeoutMs?: number;
  /**
   * Called when the connection state changes, for a status indicator: `connecting` (also before each
   * reconnection attempt), `open` (the server's HELLO arrived), `closed` (the connection was lost or
   * could not be made; a reconnection follows unless the backend was disposed).
   */
  onStatus?: (status: WebSocketStatus) => void;
  /**
   * Reconnection backoff after a lost connection: the first attempt comes after about `initialMs`
   * (default 250), each failed one doubles the wait up to `maxMs` (default 10,000); every wait is
   * randomised between half and all of it, so the readers of a killed server process do not all come
   * back at the same instant.
   */
  backoff?: { initialMs?: number; maxMs?: number };
  /** For tests and custom transports (e.g. the `ws` package in Node). */
  WebSocketImpl?: typeof WebSocket;
}

interface Pending {
  pixels: Uint8Array;
  /** the checkpoint chosen when it was made (resends keep it) */
  checkpoint: number | null;
  input: Float32Array;
  resolve: (a: Activations) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** the connection it was last sent on (undefined: waiting for one) */
  sentOn?: WebSocket;
  /** times it was sent */
  sends: number;
}

/** A request is sent at most this often: once, and again after each of two lost connections. */
const MAX_SENDS = 3;

/**
 * Runs the model on our server over one WebSocket (binary protocol, `cnn-visualizer/protocol`).
 *
 * Several requests may be in flight. The first connection must succeed for `infer` to work (so `auto`
 * can fall back to the page at once). After that, a lost connection — a server process stopped or killed,
 * a network change — is re-opened with backoff, to whichever server process the proxy picks, and the
 * requests that were in flight are sent again on the new connection: the caller sees a slower answer,
 * not an error, as long as the server is back within `timeoutMs`. Requests made while reconnecting
 * wait for the connection the same way.
 */
export class WebSocketBackend implements InferenceBackend {
  private socket?: WebSocket;
  private opened?: Promise<void>;
  private hello?: HelloInfo;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private retries = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  /** true once a HELLO was received: from then on, lost connections are re-opened */
  private everOpen = false;
  /** the connection whose HELLO arrived (requests go out on it) */
  private ready?: WebSocket;
  /** set when the server runs another network: no point reconnecting */
  private mismatch?: string;
  /** the weights later requests run (`setCheckpoint`) */
  private checkpoint: number | null = null;

  constructor(
    private readonly model: ModelDescription,
    private readonly options: WebSocketBackendOptions,
  ) {}

  /** Opens the connection and waits for the server's HELLO; rejects if the server is unreachable. */
  connect(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('this backend was disposed'));
    if (this.mismatch) return Promise.reject(new Error(this.mismatch));
    if (!this.opened) {
      const opening = this.open();
      this.opened = opening;
      // a failed attempt may be retried (by the next call, or by the reconnection backoff)
      opening.catch(() => {
        if (this.opened === opening) this.opened = undefined;
      });
    }
    return this.opened;
  }

  private open(): Promise<void> {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    this.options.onStatus?.('connecting');
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(why));
      };
      let socket: WebSocket | undefined;
      const timer = setTimeout(() => {
        fail(`the inference server at ${this.options.url} did not answer`);
        socket?.close();
      }, this.options.connectTimeoutMs ?? 5000);
      try {
        socket = new Impl(this.options.url);
      } catch (e) {
        fail(`cannot connect to ${this.options.url}: ${(e as Error).message}`);
        this.options.onStatus?.('closed');
        return;
      }
      socket.binaryType = 'arraybuffer';
      this.socket = socket;
      socket.onmessage = (ev) => {
        if (!(ev.data instanceof ArrayBuffer)) return;
        let msg;
        try {
          msg = decodeServerFrame(ev.data);
        } catch (e) {
          this.failAll(new Error(`unreadable answer from the server: ${(e as Error).message}`));
          return;
        }
        if (msg.type === 'hello') {
          const problem = this.checkHello(msg.hello);
          if (problem) {
            // a server that runs another network will not get better by retrying
            this.mismatch = problem;
            fail(problem);
            this.failAll(new Error(problem));
            socket!.close(1000);
            return;
          }
          this.hello = msg.hello;
          this.ready = socket;
          this.retries = 0;
          this.everOpen = true;
          settled = true;
          clearTimeout(timer);
          this.options.onStatus?.('open');
          resolve();
          this.sendWaiting(socket!);
        } else if (msg.type === 'result') {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.settle(msg.id, p);
          try {
            p.resolve(assembleActivations(this.model.layers, p.input, msg.layers, this.model.scores));
          } catch (e) {
            p.reject(e as Error);
          }
        } else {
          const p = this.pending.get(msg.id);
          if (!p) return;
          if (msg.code === ErrorCode.Unavailable && p.sends < MAX_SENDS) {
            // this server process is shutting down: the request goes again on the next connection
            p.sentOn = undefined;
            return;
          }
          this.settle(msg.id, p);
          p.reject(new Error(`the server refused the request: ${msg.message}`));
        }
      };
      socket.onclose = () => {
        fail(`the inference server at ${this.options.url} closed the connection`);
        if (this.socket === socket) {
          this.socket = undefined;
          this.opened = undefined;
        }
        if (this.ready === socket) this.ready = undefined;
        this.options.onStatus?.('closed');
        this.connectionLost(socket!);
      };
      socket.onerror = () => fail(`cannot connect to the inference server at ${this.options.url}`);
    });
  }

  private checkHello(hello: HelloInfo): string | undefined {
    if (this.options.sameFile && !hello.model.sha256)
      return `the server does not say which ONNX file it runs (its hello has no SHA-256), and this page's model was read from its own ONNX file: use backend="local"`;
    return serverModelMismatch(hello, this.model);
  }

  /**
   * Chooses the weights every later `infer` runs on the server: `null` (the default) the model's own,
   * or checkpoint `index` of the description's `checkpoints` (the server must offer the same one: its
   * HELLO lists them). Requests already in flight are unaffected.
   *
   * @throws RangeError for an index the model description does not list.
   */
  setCheckpoint(index: number | null): void {
    const count = this.model.checkpoints?.length ?? 0;
    if (index !== null && !(Number.isInteger(index) && index >= 0 && index < count))
      throw new RangeError(
        count
          ? `checkpoint must be null or an integer 0–${count - 1}, got ${index}`
          : `this model has no checkpoints: checkpoint must be null, got ${index}`,
      );
    this.checkpoint = index;
  }

  /** The requests sent on a connection that is gone wait for the next one (or fail, if sent too often). */
  private connectionLost(socket: WebSocket) {
    for (const [id, p] of this.pending) {
      if (p.sentOn !== socket) continue;
      p.sentOn = undefined;
      if (p.sends >= MAX_SENDS) {
        this.settle(id, p);
        p.reject(new Error('the connection to the inference server was lost'));
      }
    }
    if (this.disposed) return;
    if (this.everOpen) this.scheduleReconnect();
    else this.failAll(new Error('the connection to the inference server was lost'));
  }

  private scheduleReconnect() {
    if (this.disposed || this.mismatch || this.reconnectTimer || this.opened) return;
    const initial = this.options.backoff?.initialMs ?? 250;
    const max = this.options.backoff?.maxMs ?? 10_000;
    const ceiling = Math.min(max, initial * 2 ** this.retries++);
    const delay = ceiling * (0.5 + Math.random() / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.disposed && !this.opened) this.connect().catch(() => this.scheduleReconnect());
    }, delay);
  }

  /** Sends every request that waits for a connection. */
  private sendWaiting(socket: WebSocket) {
    for (const [id, p] of this.pending) if (!p.sentOn) this.send(socket, id, p);
  }

  private send(socket: WebSocket, id: number, p: Pending) {
    const encoding = this.options.encoding === 'uint8' ? Encoding.Uint8 : Encoding.Float32;
    p.sentOn = socket;
    p.sends++;
    socket.send(encodeInferRequest(id, p.pixels, encoding, p.checkpoint));
  }

  private settle(id: number, p: Pending) {
    clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private failAll(error: Error) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  async infer(pixels: Uint8Array): Promise<Activations> {
    // the weights chosen now, whatever is chosen while this request waits or travels
    const checkpoint = this.checkpoint;
    // the first connection must work (`auto` falls back to the page otherwise); later, requests wait
    // for a lost connection to come back
    if (!this.everOpen) await this.connect();
    if (this.disposed) throw new Error('this backend was disposed');
    if (this.mismatch) throw new Error(this.mismatch);
    const problem =
      checkpoint === null || !this.hello
        ? undefined
        : serverCheckpointProblem(this.hello, this.model, checkpoint);
    if (problem) throw new Error(problem);
    const id = this.nextId;
    this.nextId = id >= 0xffffffff ? 1 : id + 1;
    // the input layer is not sent back: we keep our own normalised copy
    // (ink and per-channel normalisation as the page's own backend; a wrong size throws a RangeError)
    const input = normalizeInput(pixels, this.model.input);
    return new Promise<Activations>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        reject(
          new Error(
            p?.sentOn
              ? 'the inference server took too long to answer'
              : 'the inference server cannot be reached; it may be restarting — try again shortly',
          ),
        );
      }, this.options.timeoutMs ?? 10_000);
      const p: Pending = {
        pixels: Uint8Array.from(pixels),
        checkpoint,
        input,
        resolve,
        reject,
        timer,
        sends: 0,
      };
      this.pending.set(id, p);
      const socket = this.ready;
      if (socket && socket.readyState === 1) this.send(socket, id, p);
      else if (!this.opened) this.scheduleReconnect();
    });
  }

  /** The server's HELLO (model and limits), once connected. */
  get serverInfo(): HelloInfo | undefined {
    return this.hello;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    this.failAll(new Error('the backend was disposed'));
    this.socket?.close(1000);
    this.socket = undefined;
    this.ready = undefined;
  }
}
