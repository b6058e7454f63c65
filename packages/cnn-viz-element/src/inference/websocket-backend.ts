import { layerSize, type ModelDescription } from '../model/description.js';
import { normalize } from '../model/preprocess.js';
import type { Activations, InferenceBackend } from './activations.js';
import { assembleActivations } from './assemble.js';
import { decodeServerFrame, Encoding, encodeInferRequest, type HelloInfo } from './protocol.js';

export interface WebSocketBackendOptions {
  /** ws:// or wss:// URL of the server's `/ws` endpoint. */
  url: string;
  /** `uint8` quantises activations on the wire (4× smaller); `float32` is exact. Default float32. */
  encoding?: 'float32' | 'uint8';
  /** Give up on one request after this long (ms). Default 10 s. */
  timeoutMs?: number;
  /** How long to wait for the first connection before `infer` fails (ms). Default 5 s. */
  connectTimeoutMs?: number;
  /** Called when the connection state changes (for a status indicator). */
  onStatus?: (status: 'connecting' | 'open' | 'closed') => void;
  /** For tests and custom transports. */
  WebSocketImpl?: typeof WebSocket;
}

interface Pending {
  resolve: (a: Activations) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  input: Float32Array;
}

/**
 * Runs the model on our server over one WebSocket (binary protocol, `cnn-visualizer/protocol`).
 * Several requests may be in flight; lost connections are re-opened with exponential backoff.
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

  constructor(
    private readonly model: ModelDescription,
    private readonly options: WebSocketBackendOptions,
  ) {}

  /** Opens the connection and waits for the server's HELLO; rejects if the server is unreachable. */
  connect(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('this backend was disposed'));
    this.opened ??= this.open();
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
      const timer = setTimeout(
        () => fail(`the inference server at ${this.options.url} did not answer`),
        this.options.connectTimeoutMs ?? 5000,
      );
      let socket: WebSocket;
      try {
        socket = new Impl(this.options.url);
      } catch (e) {
        fail(`cannot connect to ${this.options.url}: ${(e as Error).message}`);
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
            fail(problem);
            socket.close(1000);
            return;
          }
          this.hello = msg.hello;
          this.retries = 0;
          settled = true;
          clearTimeout(timer);
          this.options.onStatus?.('open');
          resolve();
        } else if (msg.type === 'result') {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          try {
            p.resolve(assembleActivations(this.model.layers, p.input, msg.layers));
          } catch (e) {
            p.reject(e as Error);
          }
        } else {
          const p = this.pending.get(msg.id);
          const error = new Error(`the server refused the request: ${msg.message}`);
          if (p) {
            this.pending.delete(msg.id);
            clearTimeout(p.timer);
            p.reject(error);
          }
        }
      };
      socket.onclose = () => {
        fail(`the inference server at ${this.options.url} closed the connection`);
        this.options.onStatus?.('closed');
        this.socket = undefined;
        this.opened = undefined;
        this.failAll(new Error('the connection to the inference server was lost'));
        this.scheduleReconnect();
      };
      socket.onerror = () => fail(`cannot connect to the inference server at ${this.options.url}`);
    });
  }

  private checkHello(hello: HelloInfo): string | undefined {
    const theirs = hello.layers;
    const ours = this.model.layers.slice(1);
    if (
      theirs.length !== ours.length ||
      theirs.some((l, i) => l.name !== ours[i].name || layerSize(l) !== layerSize(ours[i]))
    )
      return `the server runs a different network (${hello.model.name} ${hello.model.version}) than this page's model description`;
    return undefined;
  }

  private scheduleReconnect() {
    // reconnect only while someone may still ask; exponential backoff 0.5 s → 30 s
    if (this.disposed || this.reconnectTimer) return;
    const delay = Math.min(30_000, 500 * 2 ** this.retries++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.disposed && !this.opened) this.connect().catch(() => undefined);
    }, delay);
  }

  private failAll(error: Error) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  async infer(pixels: Uint8Array): Promise<Activations> {
    await this.connect();
    const socket = this.socket;
    if (!socket || socket.readyState !== 1)
      throw new Error('the connection to the inference server is not open');
    const id = this.nextId;
    this.nextId = id >= 0xffffffff ? 1 : id + 1;
    const encoding = this.options.encoding === 'uint8' ? Encoding.Uint8 : Encoding.Float32;
    // the input layer is not sent back: we keep our own normalised copy
    const input = normalize(pixels, this.model.input.normalization, new Float32Array(pixels.length));
    return new Promise<Activations>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the inference server took too long to answer'));
      }, this.options.timeoutMs ?? 10_000);
      this.pending.set(id, { resolve, reject, timer, input });
      socket.send(encodeInferRequest(id, pixels, encoding));
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
  }
}
