import { layerSize, type ModelDescription } from '../model/description.js';
import type { Weights } from '../model/tensor.js';
import { normalizeInput } from '../model/normalization.js';
import type { Activations, InferenceBackend } from './activations.js';
import { assembleActivations } from './assemble.js';
import { toProbabilities } from './probabilities.js';
import { fetchModelBytes } from '../model/fetch-model-bytes.js';

type Ort = typeof import('onnxruntime-web/wasm');

export interface LocalBackendOptions {
  /** URL of the ONNX file. */
  modelUrl: string;
  /** The model's bytes when the page already has them (an ONNX file read in the page): no download. */
  modelBytes?: Uint8Array;
  /** Folder (URL ending in "/") holding onnxruntime-web's .wasm/.mjs files. */
  wasmPath: string;
  /** Progress of the model download, 0–1. */
  onProgress?: (fraction: number) => void;
  /** URLs of the model's training checkpoints (`checkpoints` of its description), for `setCheckpoint`. */
  checkpointUrls?: string[];
}

type Session = import('onnxruntime-web/wasm').InferenceSession;

/**
 * Runs the model in the page with onnxruntime-web (WASM). The runtime (~3.6 MB gz) is imported
 * lazily, on the first inference, so pages that use the server never download it.
 */
export class LocalOnnxBackend implements InferenceBackend {
  private session?: Promise<{ ort: Ort; session: Session }>;
  /** The training checkpoint that runs (null: the model's own weights), and the sessions opened for them. */
  private checkpoint: number | null = null;
  private readonly checkpointSessions = new Map<number, Promise<Session>>();
  private queue: Promise<unknown> = Promise.resolve();
  private bytes?: Uint8Array;
  private weightsRead?: Promise<Weights>;

  constructor(
    private readonly model: ModelDescription,
    private readonly options: LocalBackendOptions,
  ) {}

  /** Starts loading the runtime and the model now (otherwise on the first `infer`). */
  load(): Promise<void> {
    this.session ??= this.open();
    return this.session.then(() => undefined);
  }

  private async open() {
    const ort: Ort = await import('onnxruntime-web/wasm');
    // only the .wasm comes from wasmPath: the JS glue is already inside ort.wasm.bundle
    ort.env.wasm.wasmPaths = {
      wasm: new URL('ort-wasm-simd-threaded.wasm', new URL(this.options.wasmPath, document.baseURI)).href,
    };
    // threads need a cross-origin-isolated page; one thread is plenty for a 62k-parameter LeNet
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated
      ? Math.min(4, navigator.hardwareConcurrency || 1)
      : 1;
    const bytes =
      this.options.modelBytes ?? (await fetchModelBytes(this.options.modelUrl, this.options.onProgress));
    this.bytes = bytes;
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    return { ort, session };
  }

  /**
   * The model's learnt tensors, read from the ONNX file this backend already downloaded (no second
   * fetch): what `explain()` of `cnn-visualizer/explain` computes with. The ONNX reader loads lazily.
   */
  weights(): Promise<Weights> {
    this.weightsRead ??= (async () => {
      this.session ??= this.open();
      await this.session;
      const { decodeOnnx, readWeights } = await import('../onnx/index.js');
      return readWeights(await decodeOnnx(this.bytes!));
    })().catch((e) => {
      this.weightsRead = undefined; // try again next time
      throw e;
    });
    return this.weightsRead;
  }

  /**
   * Runs training checkpoint `index` (of the description's `checkpoints`) from the next request on;
   * null: the model's own weights. Its file is fetched on the first request that needs it, once.
   */
  setCheckpoint(index: number | null): void {
    if (index !== null && !this.options.checkpointUrls?.[index])
      throw new RangeError(`the model has no training checkpoint ${index}`);
    this.checkpoint = index;
  }

  /** The runtime and the session of the weights that run now. */
  private async current(): Promise<{ ort: Ort; session: Session }> {
    this.session ??= this.open();
    const main = await this.session;
    const i = this.checkpoint;
    if (i === null) return main;
    let s = this.checkpointSessions.get(i);
    if (!s) {
      const url = this.options.checkpointUrls![i];
      s = fetchModelBytes(url).then((bytes) =>
        main.ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] }),
      );
      s.catch(() => this.checkpointSessions.delete(i)); // tried again next time
      this.checkpointSessions.set(i, s);
    }
    return { ort: main.ort, session: await s };
  }

  infer(pixels: Uint8Array): Promise<Activations> {
    // one run at a time: ORT's wasm session is not re-entrant
    const run = this.queue.then(() => this.run(pixels));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Classifies several inputs (C×H×W bytes each, 255 = ink) in one `session.run` on an N×C×H×W
   * tensor (the model's batch dimension is symbolic), fetching only the last layer: one probability
   * vector per drawing. What occlusion saliency runs on (`cnn-visualizer/explain`'s `saliency`).
   */
  predictBatch(batch: Uint8Array[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.runBatch(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runBatch(batch: Uint8Array[]): Promise<Float32Array[]> {
    if (!batch.length) return [];
    const { ort, session } = await this.current();
    const size = layerSize(this.model.input);
    const input = new Float32Array(batch.length * size);
    batch.forEach((pixels, k) =>
      normalizeInput(pixels, this.model.input, input.subarray(k * size, (k + 1) * size)),
    );
    const output = this.model.layers[this.model.layers.length - 1].name;
    const feeds = {
      [this.model.input.name]: new ort.Tensor('float32', input, [batch.length, ...this.model.input.shape]),
    };
    const out = await session.run(feeds, [output]);
    const probs = out[output].data as Float32Array;
    const classes = probs.length / batch.length;
    return batch.map((_, k) =>
      toProbabilities(probs.subarray(k * classes, (k + 1) * classes), this.model.scores),
    );
  }

  private async run(pixels: Uint8Array): Promise<Activations> {
    const { ort, session } = await this.current();
    const input = normalizeInput(pixels, this.model.input); // C×H×W, ink and per-channel normalisation applied
    const feeds = {
      [this.model.input.name]: new ort.Tensor('float32', input, [1, ...this.model.input.shape]),
    };
    const out = await session.run(feeds);
    const layers = this.model.layers.slice(1).map((l) => {
      const t = out[l.name];
      if (!t) throw new Error(`the model has no output named "${l.name}"`);
      return t.data as Float32Array;
    });
    return assembleActivations(this.model.layers, input, layers, this.model.scores);
  }

  dispose(): void {
    void this.session?.then(({ session }) => session.release()).catch(() => undefined);
    this.session = undefined;
    for (const s of this.checkpointSessions.values())
      void s.then((session) => session.release()).catch(() => undefined);
    this.checkpointSessions.clear();
  }
}
