/**
 * One onnxruntime-web session per process (its Node build: the same runtime as the element's local
 * backend). Concurrent requests are queued and run together as one batch — the graph's batch
 * dimension is symbolic — which is where most of the server's throughput comes from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDescription, type ModelDescription } from 'cnn-visualizer/description';
import { normalize, PIXELS_28 } from './pixels.ts';
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
  /** performance.now() when it joined the queue */
  queuedAt: number;
  resolve: (r: Inference) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 64;

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
  /** Requests waiting or running (for graceful shutdown). */
  inFlight = 0;
  /** Called after every batch (the app's metrics subscribe here). */
  readonly batchListeners = new Set<(t: BatchTiming) => void>();

  private constructor(
    readonly description: ModelDescription,
    private readonly session: ort.InferenceSession,
    readonly outputNames: string[],
  ) {}

  static async load(modelDir: string): Promise<ModelRunner> {
    const description = validateDescription(JSON.parse(readFileSync(join(modelDir, 'cnn.json'), 'utf8')));
    ort.env.wasm.numThreads = 1;
    const bytes = new Uint8Array(readFileSync(join(modelDir, description.onnx)));
    const session = await ort.InferenceSession.create(bytes);
    const outputNames = description.layers.slice(1).map((l) => l.name);
    for (const name of outputNames)
      if (!session.outputNames.includes(name))
        throw new Error(`cnn.onnx has no output "${name}" listed in cnn.json`);
    return new ModelRunner(description, session, outputNames);
  }

  get version(): string {
    return this.description.version;
  }

  /** Classifies 784 preprocessed bytes (28×28, 255 = ink). */
  infer(pixels: Uint8Array): Promise<Inference> {
    if (this.closed) return Promise.reject(new Error('the model is shutting down'));
    if (pixels.length !== PIXELS_28)
      return Promise.reject(new RangeError(`expected ${PIXELS_28} pixels, got ${pixels.length}`));
    this.inFlight++;
    return new Promise<Inference>((resolve, reject) => {
      this.queue.push({ pixels, queuedAt: performance.now(), resolve, reject });
      if (!this.running) void this.drain();
    }).finally(() => this.inFlight--);
  }

  private async drain() {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const start = performance.now();
          const results = await this.runBatch(batch.map((p) => p.pixels));
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

  private async runBatch(inputs: Uint8Array[]): Promise<Inference[]> {
    const n = inputs.length;
    const { input } = this.description;
    const per = input.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n * per);
    inputs.forEach((px, i) => normalize(px, input.normalization, data.subarray(i * per, (i + 1) * per)));
    const out = await this.session.run({
      [input.name]: new ort.Tensor('float32', data, [n, ...input.shape]),
    });
    const layers = this.outputNames.map((name) => out[name].data as Float32Array);
    const sizes = this.description.layers.slice(1).map((l) => l.shape.reduce((a, b) => a * b, 1));
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
    await this.session.release();
  }
}
