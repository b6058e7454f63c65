/**
 * Backend: where the network runs.
 *
 * Adds to `<cnn-visualizer>`:
 * - attribute/property `backend`: `local` | `server` | `auto` (`ws` is read as `server`), or any
 *   object with `infer(pixels) → Promise<Activations>` assigned to the property;
 * - attributes `server-url`, `encoding` (server), `wasm-path` (local);
 * - read-only `activeBackend`: `local`, `server` or `custom` (the words `cnn-ready` uses);
 * - `cnn-progress` phases `runtime`/`model` (local) and `connection` (server) while it loads.
 * Changing any of these after start replaces the backend and classifies the current input again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InferenceBackend } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import type { ActiveBackend, ProgressDetail } from './events.js';

export type BackendName = 'local' | 'server' | 'auto' | 'ws';

export interface BackendHost extends ReactiveControllerHost {
  backend: BackendName | InferenceBackend;
  serverUrl: string;
  wasmPath: string;
  modelUrl: string;
  encoding: 'float32' | 'uint8';
}

/** An object a page assigned to `backend` (anything with an `infer` method). */
export const isCustomBackend = (b: unknown): b is InferenceBackend =>
  typeof b === 'object' && b !== null && typeof (b as InferenceBackend).infer === 'function';

export class BackendController implements ReactiveController {
  /** The backend answering requests, once created. */
  inference?: InferenceBackend;
  active: ActiveBackend | '' = '';
  private owned = false;

  constructor(
    private readonly host: BackendHost,
    private readonly onProgress: (p: ProgressDetail) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    /* released by `dispose()` when the element is really gone (see loading.ts) */
  }

  /**
   * Creates the backend for `model` from the host's current attributes and waits until it can run.
   * `bytes`: an ONNX file read in the page (`model-url` pointing at an `.onnx`): the page runs it, or
   * with `backend="server"` a server that runs the same file (its HELLO names the file's SHA-256;
   * any other server is refused with what differs).
   */
  async create(model: ModelDescription, bytes?: Uint8Array): Promise<void> {
    this.dispose();
    const h = this.host;
    const b = h.backend;
    if (isCustomBackend(b)) {
      this.inference = b;
      this.owned = false;
      this.active = 'custom';
      return;
    }
    this.owned = true;
    // each backend's code loads with it: a page on the server never fetches the local one's
    const [{ AutoBackend }, { LocalOnnxBackend }, { WebSocketBackend }] = await Promise.all([
      b === 'auto' ? import('../inference/auto-backend.js') : { AutoBackend: undefined as never },
      b === 'server' || b === 'ws'
        ? { LocalOnnxBackend: undefined as never }
        : import('../inference/local-backend.js'),
      b === 'local' ? { WebSocketBackend: undefined as never } : import('../inference/websocket-backend.js'),
    ]);
    const descriptionUrl = new URL(h.modelUrl, document.baseURI);
    const onnxUrl = new URL(model.onnx, descriptionUrl).href;
    const local = () =>
      new LocalOnnxBackend(model, {
        modelUrl: onnxUrl,
        modelBytes: bytes,
        checkpointUrls: model.checkpoints?.map((c) => new URL(c.onnx, descriptionUrl).href),
        wasmPath: h.wasmPath,
        onProgress: (f) => this.onProgress({ phase: 'model', loaded: Math.round(f * 1000), total: 1000 }),
      });
    const server = () =>
      new WebSocketBackend(model, {
        url: h.serverUrl,
        encoding: h.encoding,
        sameFile: bytes !== undefined,
        onStatus: (s) => this.onProgress({ phase: 'connection', loaded: s === 'open' ? 1 : 0, total: 1 }),
      });
    if (b === 'server' || b === 'ws') {
      const ws = server();
      this.inference = ws;
      this.active = 'server';
      await ws.connect();
    } else if (b === 'auto' && !bytes) {
      const ws = server();
      this.inference = new AutoBackend(ws, local, (to) => {
        this.active = to;
        h.requestUpdate();
      });
      this.active = 'server';
      // the server if it answers, else the page: either way the element can classify
      await ws.connect().catch(() => undefined);
    } else {
      // `local`, or `auto` with a model read in the page (its bytes are here already)
      const l = local();
      this.inference = l;
      this.active = 'local';
      await l.load();
    }
    h.requestUpdate();
  }

  dispose(): void {
    if (this.owned) this.inference?.dispose?.();
    this.inference = undefined;
    this.owned = false;
    this.active = '';
  }
}
