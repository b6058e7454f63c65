/**
 * How big a network the 3D view shows well, and the error for one that is bigger. DOM-free and
 * Babylon-free, so the element can check a model before it downloads anything for it.
 *
 * The limit is measured (BENCHMARKS.md, "Renderer with large models", `bench/render.bench.mjs`): the
 * tour's JavaScript per frame stays about 1 ms whatever the size (only the cubes that change are
 * uploaded), but the frame itself grows with the cubes. On this project's machine, drawn by SwiftShader
 * (what a machine without a GPU runs), 27k cubes take 0.9 s a frame, 97k 2.9 s, 192k 8.5 s, and new
 * activations 4, 25 and 34 ms; in an 800×450 stage, 150k cubes leave each about 2 pixels. The issue's
 * target is about 100k; 150k leaves room above it.
 */
import { layerSize, type ModelDescription } from '../model/description.js';

/** The most cubes (activations of every layer together) the 3D view draws. */
export const MAX_CUBES = 150_000;

/**
 * The most layers the 3D view draws: the tour's reveal state is one uniform vector per layer in the
 * cube shader, and WebGL promises only 128 vertex uniform vectors (the matrices take 8 of them).
 */
export const MAX_LAYERS = 100;

/** A model the 3D view cannot show well: reported as `cnn-error { type: 'model' }`. */
export class ModelTooLargeError extends Error {
  override name = 'ModelTooLargeError';
  readonly type = 'model';
  constructor(
    message: string,
    readonly cubes: number,
    readonly limit: number,
  ) {
    super(message);
  }
}

/** Throws a `ModelTooLargeError` naming the count and the largest layers when `model` is over the limit. */
export function checkRenderable(model: ModelDescription, limit = MAX_CUBES): void {
  const sizes = model.layers.map((l) => ({ name: l.label ?? l.name, shape: l.shape, n: layerSize(l) }));
  if (model.layers.length > MAX_LAYERS)
    throw new ModelTooLargeError(
      `this model has ${model.layers.length} layers to draw; the 3D view shows up to ${MAX_LAYERS}.`,
      sizes.reduce((s, l) => s + l.n, 0),
      limit,
    );
  const cubes = sizes.reduce((s, l) => s + l.n, 0);
  if (cubes <= limit) return;
  const largest = [...sizes]
    .sort((a, b) => b.n - a.n)
    .slice(0, 2)
    .map((l) => `${l.name} ${l.shape.join('×')} = ${l.n.toLocaleString('en')}`)
    .join(', ');
  throw new ModelTooLargeError(
    `this model has ${cubes.toLocaleString('en')} activations to draw, one cube each; the 3D view shows up to ${limit.toLocaleString('en')} well (largest layers: ${largest}). A smaller input or fewer maps per layer would fit.`,
    cubes,
    limit,
  );
}
