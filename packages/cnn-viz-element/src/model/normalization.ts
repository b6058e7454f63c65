/**
 * How 0–255 pixels (255 = ink) become a network's input, as data: the named presets an element
 * attribute (`normalization="mnist|unit|…"`) maps onto, and a parser for that attribute. DOM-free.
 */

/**
 * `x = (p · scale − mean) / std` for pixel p; with `perChannel`, channel c of a multi-channel input
 * uses `perChannel.mean[c]` and `perChannel.std[c]` (`mean` and `std` then hold channel 0's values,
 * for code that only knows grey inputs).
 */
export interface Normalization {
  scale: number;
  mean: number;
  std: number;
  perChannel?: { mean: number[]; std: number[] };
  /** The preset this came from, if any (for display: "normalised as MNIST"). */
  preset?: NormalizationPreset;
}

export type NormalizationPreset = 'mnist' | 'unit' | 'imagenet';

/**
 * - `mnist`: pixel / 255, then MNIST's training mean 0.1307 and std 0.3081 (the shipped LeNet-5, and
 *   PyTorch's MNIST example: `transforms.Normalize((0.1307,), (0.3081,))`).
 * - `unit`: pixel / 255 only, so 0–1 with ink = 1 (Keras' `x / 255.`, `transforms.ToTensor()` alone).
 *   The default for an `.onnx` given without a description.
 * - `imagenet`: pixel / 255, then torchvision's ImageNet means and stds per RGB channel.
 */
export const NORMALIZATION_PRESETS: Readonly<Record<NormalizationPreset, Readonly<Normalization>>> =
  Object.freeze({
    mnist: Object.freeze({ scale: 1 / 255, mean: 0.1307, std: 0.3081, preset: 'mnist' as const }),
    unit: Object.freeze({ scale: 1 / 255, mean: 0, std: 1, preset: 'unit' as const }),
    imagenet: Object.freeze({
      scale: 1 / 255,
      mean: 0.485,
      std: 0.229,
      perChannel: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      preset: 'imagenet' as const,
    }),
  });

/**
 * Reads a normalisation as written in an attribute: a preset name (`mnist`, `unit`, `imagenet`), or
 * `mean/std` on the 0–1 scale, one value for all channels or one per channel:
 * `0.5/0.5`, `0.4914,0.4822,0.4465/0.247,0.243,0.261`. Throws an Error saying what it expected.
 *
 * @param channels The model's input channels; a per-channel list must have exactly that many values.
 */
export function parseNormalization(text: string, channels = 1): Normalization {
  const t = text.trim().toLowerCase();
  if (t in NORMALIZATION_PRESETS) {
    const preset = NORMALIZATION_PRESETS[t as NormalizationPreset];
    if (preset.perChannel && preset.perChannel.mean.length !== channels)
      throw new Error(
        `normalization "${t}" is for ${preset.perChannel.mean.length} channels, the model has ${channels}`,
      );
    return preset;
  }
  const expected = `expected mnist, unit, imagenet, or mean/std such as 0.5/0.5 or 0.49,0.48,0.45/0.25,0.24,0.26`;
  const parts = t.split('/');
  if (parts.length !== 2) throw new Error(`normalization "${text}": ${expected}`);
  const [mean, std] = parts.map((p) => p.split(',').map((v) => Number(v.trim())));
  const ok = (xs: number[]) => xs.length > 0 && xs.every((x) => Number.isFinite(x));
  if (!ok(mean) || !ok(std) || mean.length !== std.length || std.some((s) => s === 0))
    throw new Error(`normalization "${text}": ${expected}, stds not zero`);
  if (mean.length === 1) return { scale: 1 / 255, mean: mean[0], std: std[0] };
  if (mean.length !== channels)
    throw new Error(`normalization "${text}" lists ${mean.length} channels, the model has ${channels}`);
  return { scale: 1 / 255, mean: mean[0], std: std[0], perChannel: { mean, std } };
}

/**
 * `x = ((dark ? 255 − p : p) · scale − mean) / std` for every byte p (255 = ink) of an input laid out
 * channel by channel; with `perChannel`, plane c of `pixels.length / channels` values uses channel c's
 * mean and std. `ink: 'dark'` is a model trained on dark ink on a light background.
 *
 * @param out Written instead of allocating; needs at least `pixels.length` entries.
 * @throws RangeError if `out` is too small or `pixels` do not split into the per-channel planes.
 */
export function applyNormalization(
  pixels: ArrayLike<number>,
  norm: Normalization,
  ink: 'bright' | 'dark' = 'bright',
  out?: Float32Array,
): Float32Array {
  const { result, planes } = channelPlanes('normalize', pixels.length, norm, out);
  const flip = ink === 'dark';
  const { scale } = norm;
  for (const { from, to, mean, std } of planes)
    for (let p = from; p < to; p++) result[p] = ((flip ? 255 - pixels[p] : pixels[p]) * scale - mean) / std;
  return result;
}

/**
 * The inverse of `applyNormalization`: the ink (0–255, 255 = full ink, whichever way the model reads
 * it) of each value of a normalised input laid out channel by channel, clamped to 0–255. What the input
 * layer's cubes and its legend show: every channel in the same units, "no ink" always 0 (values
 * within 0.001 of a whole number of ink are taken as that number: they came from bytes).
 *
 * @param out Written instead of allocating; needs at least `values.length` entries.
 * @throws RangeError if `out` is too small or `values` do not split into the per-channel planes.
 */
export function inkOf(
  values: ArrayLike<number>,
  norm: Normalization,
  ink: 'bright' | 'dark' = 'bright',
  out?: Float32Array,
): Float32Array {
  const { result, planes } = channelPlanes('inkOf', values.length, norm, out);
  const flip = ink === 'dark';
  for (const { from, to, mean, std } of planes)
    for (let i = from; i < to; i++) {
      const p = (values[i] * std + mean) / norm.scale;
      const raw = flip ? 255 - p : p;
      // the input came from bytes: float32 rounding leaves them a hair off (no ink as 0.00003), so a
      // value that close to a whole number is that number, and "none" is exactly 0 (grey)
      const whole = Math.round(raw);
      const k = Math.abs(raw - whole) < 1e-3 ? whole : raw;
      result[i] = k <= 0 ? 0 : k >= 255 ? 255 : k;
    }
  return result;
}

/**
 * For `n` values laid out channel by channel: the output (`out`, or a new array) and each channel's
 * plane with its mean and std (all channels share `mean` and `std` without `perChannel`).
 */
function channelPlanes(what: string, n: number, norm: Normalization, out?: Float32Array) {
  const result = out ?? new Float32Array(n);
  if (result.length < n) throw new RangeError(`${what}: out holds ${result.length} values, needs ${n}`);
  const channels = norm.perChannel?.mean.length ?? 1;
  if (n % channels) throw new RangeError(`${what}: ${n} values do not split into ${channels} channel planes`);
  const plane = n / channels;
  const planes = Array.from({ length: channels }, (_, c) => ({
    from: c * plane,
    to: (c + 1) * plane,
    mean: norm.perChannel?.mean[c] ?? norm.mean,
    std: norm.perChannel?.std[c] ?? norm.std,
  }));
  return { result, planes };
}

/**
 * A model's input tensor for one picture: C × H × W bytes (255 = ink), normalised and, for a model
 * trained on dark ink, inverted as its description says.
 *
 * @throws RangeError (in words) if `pixels` is not exactly C × H × W values long.
 */
export function normalizeInput(
  pixels: ArrayLike<number>,
  input: { shape: readonly number[]; normalization: Normalization; ink?: 'bright' | 'dark' },
  out?: Float32Array,
): Float32Array {
  const n = input.shape.reduce((a, b) => a * b, 1);
  if (pixels.length !== n)
    throw new RangeError(
      `this model reads ${input.shape.join('×')} = ${n} values per picture, got ${pixels.length}`,
    );
  return applyNormalization(pixels, input.normalization, input.ink, out);
}
