/**
 * The models this package trains and ships: which layer list, with which settings, written where.
 * `npm run train -w model -- --model small-vgg` picks one (LeNet-5 by default).
 */
import { join } from 'node:path';
import { LENET5, SMALL_VGG, type LayerSpec } from './architecture.ts';
import { MODEL_DIR } from './paths.ts';
import { DEFAULT_SETTINGS, type TrainSettings } from './trainer.ts';

export interface ModelRecipe {
  /** The `--model` value. */
  id: string;
  /** cnn.json's `name`. */
  name: string;
  /** For people: the ONNX doc string and the training log. */
  title: string;
  layers: readonly LayerSpec[];
  settings: TrainSettings;
  /** Where `train` and `export` write it by default (cnn.onnx, cnn.json, checkpoints/). */
  dir: string;
}

export const LENET5_RECIPE: ModelRecipe = {
  id: 'lenet5',
  name: 'lenet5-mnist',
  title: 'LeNet-5',
  layers: LENET5,
  settings: DEFAULT_SETTINGS,
  dir: MODEL_DIR,
};

/** The small VGG: LeNet's optimiser, schedule shape and augmentation over 12 epochs, no checkpoints. */
export const SMALL_VGG_RECIPE: ModelRecipe = {
  id: 'small-vgg',
  name: 'small-vgg-mnist',
  title: 'Small VGG',
  layers: SMALL_VGG,
  settings: { ...DEFAULT_SETTINGS, epochs: 12, checkpoints: { steps: [], epochs: [] } },
  dir: join(MODEL_DIR, 'small-vgg'),
};

export const MODELS: readonly ModelRecipe[] = [LENET5_RECIPE, SMALL_VGG_RECIPE];

/** The recipe called `id`; a clear error naming the known ones otherwise. */
export function recipe(id: string | undefined): ModelRecipe {
  if (id === undefined) return LENET5_RECIPE;
  const found = MODELS.find((m) => m.id === id);
  if (!found) throw new Error(`--model must be one of ${MODELS.map((m) => m.id).join(', ')}, got "${id}"`);
  return found;
}
