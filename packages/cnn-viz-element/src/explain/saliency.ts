/**
 * Occlusion saliency: which pixels of a drawing drove the network's answer. Each variant of the
 * drawing has one small square patch wiped to "no ink" (0, the background MNIST was trained on); the
 * more the predicted class's log-odds drop without a patch, the more its ink mattered. Written against
 * a batch-inference function, so it runs on any backend. DOM-free.
 */

/** Classifies several inputs (C × H × W bytes, 255 = ink) at once; one probability vector per input. */
export type PredictBatch = (batch: Uint8Array[]) => Promise<Float32Array[]>;

export interface SaliencyOptions {
  /** Image size; default 28 × 28. */
  width?: number;
  height?: number;
  /** Channels of the input (planes of H × W, one after the other); default 1. A patch wipes all of them. */
  channels?: number;
  /** Edge of the wiped square, in pixels. Default 3. */
  patch?: number;
  /** Step between patches. Default 2 (≈ 60–90 variants for an MNIST digit; 1 is finer and ≈ 3× dearer). */
  stride?: number;
  /** The class to explain; default the drawing's predicted class. */
  classIndex?: number;
  /** At most this many drawings per `predictBatch` call. Default 512. */
  batchSize?: number;
  /** Stops between batches (the reader drew on): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SaliencyResult {
  /** One value per pixel, row-major H × W, ≥ 0: the class's average log-odds drop when that pixel's ink is wiped. Blank pixels are 0. */
  map: Float32Array;
  /** The class explained and its probability for the drawing itself. */
  classIndex: number;
  probability: number;
  /** How many occluded variants were classified (patches over blank paper change nothing and are skipped). */
  variants: number;
}

/**
 * Occlusion saliency of `pixels` (C × H × W bytes, 255 = ink; H × W for one channel) for the
 * predicted class: a Float32Array of H × W, larger = that pixel mattered more. See `occlusionSaliency` for the details.
 */
export async function saliency(
  pixels: Uint8Array,
  predictBatch: PredictBatch,
  options: SaliencyOptions = {},
): Promise<Float32Array> {
  return (await occlusionSaliency(pixels, predictBatch, options)).map;
}

/**
 * Saliency with what it explained. A patch's log-odds drop (clamped at 0: a patch whose removal
 * helps the class did not drive it) is shared among the pixels it actually changed, in proportion
 * to their ink; each pixel's saliency is the mean over the patches that cover it. Log-odds
 * (log p − log Σ others) rather than p, so a confident answer (p = 0.9999) still shows structure.
 */
export async function occlusionSaliency(
  pixels: Uint8Array,
  predictBatch: PredictBatch,
  options: SaliencyOptions = {},
): Promise<SaliencyResult> {
  const W = options.width ?? 28;
  const H = options.height ?? 28;
  const patch = Math.max(1, Math.floor(options.patch ?? 3));
  const stride = Math.max(1, Math.floor(options.stride ?? 2));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 512));
  const C = Math.max(1, Math.floor(options.channels ?? 1));
  const plane = W * H;
  if (pixels.length !== C * plane)
    throw new RangeError(`saliency needs ${C > 1 ? `${C}×` : ''}${W}×${H} pixels, got ${pixels.length}`);
  // a pixel's ink: summed over its channels (a colour model reads the same place in every plane)
  const inkAt = new Float64Array(plane);
  for (let c = 0; c < C; c++) for (let i = 0; i < plane; i++) inkAt[i] += pixels[c * plane + i];

  // every patch position covering the whole image (the last row/column of patches flush with the edge)
  const starts = (size: number) => {
    const s: number[] = [];
    for (let p = 0; p + patch < size; p += stride) s.push(p);
    s.push(Math.max(0, size - patch));
    return [...new Set(s)];
  };
  const rows = starts(H);
  const cols = starts(W);
  const variants: Uint8Array[] = [pixels];
  const origins: number[] = [];
  const inkSums: number[] = [];
  for (const y0 of rows) {
    for (const x0 of cols) {
      let ink = 0;
      for (let y = y0; y < y0 + patch && y < H; y++)
        for (let x = x0; x < x0 + patch && x < W; x++) ink += inkAt[y * W + x];
      if (!ink) continue; // wiping blank paper changes nothing
      const v = pixels.slice();
      for (let c = 0; c < C; c++)
        for (let y = y0; y < y0 + patch && y < H; y++)
          v.fill(0, c * plane + y * W + x0, c * plane + y * W + Math.min(W, x0 + patch));
      variants.push(v);
      origins.push(y0 * W + x0);
      inkSums.push(ink);
    }
  }

  const probs: Float32Array[] = [];
  for (let i = 0; i < variants.length; i += batchSize) {
    options.signal?.throwIfAborted();
    probs.push(...(await predictBatch(variants.slice(i, i + batchSize))));
  }
  options.signal?.throwIfAborted();

  const base = probs[0];
  let classIndex = options.classIndex ?? 0;
  if (options.classIndex === undefined)
    for (let c = 1; c < base.length; c++) if (base[c] > base[classIndex]) classIndex = c;
  const logOdds = (p: Float32Array) => {
    let others = 0;
    for (let c = 0; c < p.length; c++) if (c !== classIndex) others += p[c];
    // floor both sides at float32's resolution so a saturated probability stays finite
    return Math.log(Math.max(p[classIndex], 1e-30)) - Math.log(Math.max(others, 1e-30));
  };
  const reference = logOdds(base);

  const total = new Float64Array(W * H);
  const covered = new Uint16Array(W * H);
  for (let k = 0; k < origins.length; k++) {
    const drop = Math.max(0, reference - logOdds(probs[k + 1]));
    const y0 = Math.floor(origins[k] / W);
    const x0 = origins[k] % W;
    for (let y = y0; y < y0 + patch && y < H; y++) {
      for (let x = x0; x < x0 + patch && x < W; x++) {
        const i = y * W + x;
        if (!inkAt[i]) continue;
        total[i] += (drop * inkAt[i]) / inkSums[k];
        covered[i]++;
      }
    }
  }
  const map = new Float32Array(W * H);
  for (let i = 0; i < map.length; i++) if (covered[i]) map[i] = total[i] / covered[i];
  return { map, classIndex, probability: base[classIndex], variants: origins.length };
}

/**
 * A `PredictBatch` for any backend: its own batched method if it has one (`LocalOnnxBackend` runs
 * the whole batch in one session.run), else `infer` per drawing with at most `concurrency` in flight
 * (default 12: our server answers at most 16 requests in flight per connection, and batches them).
 */
export function batchPredictor(
  backend: {
    infer(pixels: Uint8Array): Promise<{ probabilities: Float32Array }>;
    predictBatch?: PredictBatch;
  },
  concurrency = 12,
): PredictBatch {
  if (backend.predictBatch) return backend.predictBatch.bind(backend);
  return async (batch) => {
    const out: Float32Array[] = new Array(batch.length);
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const k = next++;
        out[k] = (await backend.infer(batch[k])).probabilities;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batch.length)) }, lane));
    return out;
  };
}
