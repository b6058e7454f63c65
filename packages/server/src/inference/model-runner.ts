/**
 * The model's onnxruntime-web sessions (its Node build: the same runtime as the element's local
 * backend): the model's own weights, loaded at start, and each training checkpoint the description
 * lists, loaded on its first request and kept. Concurrent requests are queued and run together as one
 * batch per checkpoint — the graph's batch dimension is symbolic — which is where most of the server's
 * throughput comes from.
 */
import { readFileSync } from 'node:fs';
import {
  layerSize,
  normalizeInput,
  type CheckpointDescription,
  type ModelDescription,
} from 'cnn-visualizer/description';
import { readModel, type ModelSource, type ReadOptions } from './model-source.ts';
import * as ort from 'onnxruntime-web';

export interface Inference {
  /** Every non-input layer's output, in the model's order (views into one batch result). */
  layers: Float32Array[];
  probabilities: Float32Array;
  prediction: number;
  confidence: number;
}

interface Pending {
  pixels: Uint8Array;
  /** the checkpoint to run, or OWN */
  checkpoint: number;
  /** performance.now() when it joined the queue */
  queuedAt: number;
  resolve: (r: Inference) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 64;
/** The key of the model's own weights among the sessions (checkpoints are 0, 1, …). */
const OWN = -1;

/** A request for a checkpoint the model does not list (HELLO's `checkpoints`). */
export class UnknownCheckpointError extends RangeError {
  override name = 'UnknownCheckpointError';
}

/** A listed checkpoint whose file could not be loaded (missing, unreadable, not this network). */
export class CheckpointUnavailableError extends Error {
  override name = 'CheckpointUnavailableError';
}

/** What one batch cost: for the metrics (`cnn_inference_*`). */
export interface BatchTiming {
  size: number;
  /** how long each request of the batch waited in the queue (ms) */
  waitsMs: number[];
  /** how long the batch ran (ms) */
  runMs: number;
}

export class ModelRunner {
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  /** Sessions by checkpoint index (OWN: the model's own weights), each loaded once. */
  private readonly sessions = new Map<number, Promise<ort.InferenceSession>>();
  /** Requests waiting or running (for graceful shutdown). */
  inFlight = 0;
  /** Called after every batch (the app's metrics subscribe here). */
  readonly batchListeners = new Set<(t: BatchTiming) => void>();
  readonly outputNames: string[];
  /** 1 for a model whose batch dimension is fixed at 1 (each request runs alone). */
  private readonly maxBatch: number;

  private constructor(
    private readonly source: ModelSource,
    session: ort.InferenceSession,
  ) {
    this.outputNames = source.description.layers.slice(1).map((l) => l.name);
    this.maxBatch = source.description.input.batch === 1 ? 1 : MAX_BATCH;
    this.sessions.set(OWN, Promise.resolve(session));
  }

  /**
   * Loads the model `path` names: a `cnn.json` (its ONNX file beside it) or an `.onnx` file (its layer
   * list read from the graph by `cnn-visualizer/onnx`). Throws an Error naming the file and the problem.
   */
  static async load(path: string, options: ReadOptions = {}): Promise<ModelRunner> {
    const source = await readModel(path, options);
    ort.env.wasm.numThreads = 1;
    const session = await openSession(source.runBytes, source.description, source.onnxPath);
    return new ModelRunner(source, session);
  }

  get description(): ModelDescription {
    return this.source.description;
  }

  get version(): string {
    return this.source.description.version;
  }

  /** SHA-256 (hex) of the model's ONNX file as served. */
  get sha256(): string {
    return this.source.sha256;
  }

  /** Bytes one request carries: the input's C×H×W (784 for 1×28×28). */
  get inputSize(): number {
    return layerSize(this.source.description.input);
  }

  /** The training checkpoints a request may name (their index here), oldest first; empty without. */
  get checkpoints(): readonly CheckpointDescription[] {
    return this.source.checkpoints;
  }

  /** How many sessions checkpoints have added to the model's own (for the tests and the memory benchmark). */
  get loadedCheckpoints(): number {
    const own = this.sessions.get(OWN);
    return new Set([...this.sessions.values()].filter((s) => s !== own)).size;
  }

  /**
   * Classifies one input: C×H×W bytes (784 for the shipped 28×28 model, 255 = ink), with the model's
   * own weights (`checkpoint` null, the default) or those of checkpoint `checkpoint`.
   * Rejects with `UnknownCheckpointError` for an index the model does not list, with
   * `CheckpointUnavailableError` when that checkpoint's file cannot be loaded.
   */
  infer(pixels: Uint8Array, checkpoint: number | null = null): Promise<Inference> {
    if (this.closed) return Promise.reject(new Error('the model is shutting down'));
    if (pixels.length !== this.inputSize)
      return Promise.reject(new RangeError(`expected ${this.inputSize} pixels, got ${pixels.length}`));
    if (
      checkpoint !== null &&
      !(Number.isInteger(checkpoint) && checkpoint >= 0 && checkpoint < this.checkpoints.length)
    )
      return Promise.reject(
        new UnknownCheckpointError(
          this.checkpoints.length
            ? `checkpoint ${checkpoint} does not exist: this model has checkpoints 0–${this.checkpoints.length - 1}`
            : `checkpoint ${checkpoint} does not exist: this model comes without checkpoints`,
        ),
      );
    this.inFlight++;
    return new Promise<Inference>((resolve, reject) => {
      this.queue.push({
        pixels,
        checkpoint: checkpoint ?? OWN,
        queuedAt: performance.now(),
        resolve,
        reject,
      });
      if (!this.running) void this.drain();
    }).finally(() => this.inFlight--);
  }

  /** The session of `key`, loaded on first use; a checkpoint that is the model's own file shares its session. */
  private session(key: number): Promise<ort.InferenceSession> {
    let s = this.sessions.get(key);
    if (s) return s;
    const c = this.source.checkpoints[key];
    if (c.path === this.source.onnxPath) s = this.session(OWN);
    else {
      s = (async () => {
        let bytes;
        try {
          bytes = new Uint8Array(readFileSync(c.path));
        } catch (e) {
          throw new CheckpointUnavailableError(
            `checkpoint ${key} (step ${c.step}) is missing on the server: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
            { cause: e },
          );
        }
        try {
          return await openSession(bytes, this.source.description, c.onnx);
        } catch (e) {
          throw new CheckpointUnavailableError(
            `checkpoint ${key} (step ${c.step}) cannot run: ${(e as Error).message}`,
            { cause: e },
          );
        }
      })();
      // a failed load is tried again by the next request
      s.catch(() => this.sessions.delete(key));
    }
    this.sessions.set(key, s);
    return s;
  }

  private async drain() {
    this.running = true;
    try {
      while (this.queue.length) {
        // one batch per checkpoint: the oldest request's, with the others waiting for the same weights
        const key = this.queue[0].checkpoint;
        const batch: Pending[] = [];
        const rest: Pending[] = [];
        for (const p of this.queue)
          (p.checkpoint === key && batch.length < this.maxBatch ? batch : rest).push(p);
        this.queue = rest;
        try {
          const session = await this.session(key);
          const start = performance.now();
          const results = await this.runBatch(
            session,
            batch.map((p) => p.pixels),
          );
          const timing = {
            size: batch.length,
            waitsMs: batch.map((p) => start - p.queuedAt),
            runMs: performance.now() - start,
          };
          for (const listener of this.batchListeners) listener(timing);
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch (e) {
          for (const p of batch) p.reject(e as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(session: ort.InferenceSession, inputs: Uint8Array[]): Promise<Inference[]> {
    const n = inputs.length;
    const { input } = this.description;
    const per = layerSize(input);
    const data = new Float32Array(n * per);
    // as the page normalises (ink, per-channel means and stds): `cnn-visualizer/description`
    inputs.forEach((px, i) => normalizeInput(px, input, data.subarray(i * per, (i + 1) * per)));
    const out = await session.run({
      [input.name]: new ort.Tensor('float32', data, [n, ...input.shape]),
    });
    const layers = this.outputNames.map((name) => out[name].data as Float32Array);
    const sizes = this.description.layers.slice(1).map(layerSize);
    const results: Inference[] = [];
    for (let i = 0; i < n; i++) {
      const mine = layers.map((d, li) => d.subarray(i * sizes[li], (i + 1) * sizes[li]));
      const probabilities = mine[mine.length - 1];
      let prediction = 0;
      for (let c = 1; c < probabilities.length; c++)
        if (probabilities[c] > probabilities[prediction]) prediction = c;
      results.push({ layers: mine, probabilities, prediction, confidence: probabilities[prediction] });
    }
    return results;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    const sessions = new Set(this.sessions.values());
    this.sessions.clear();
    await Promise.all([...sessions].map((s) => s.then((x) => x.release()).catch(() => undefined)));
  }
}

/** A session for `bytes`, checked to return every layer of `description` (`file` names it in errors). */
async function openSession(
  bytes: Uint8Array,
  description: ModelDescription,
  file: string,
): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(bytes);
  for (const layer of description.layers.slice(1))
    if (!session.outputNames.includes(layer.name)) {
      await session.release();
      throw new Error(`${file} has no output "${layer.name}" that the model's layer list names`);
    }
  return session;
}
