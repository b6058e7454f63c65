/**
 * The network described as data (`cnn.json`, written by the model package's trainer). The renderer
 * lays out whatever layers this lists; nothing in the element hard-codes LeNet's shapes.
 */

export type LayerKind = 'input' | 'conv' | 'relu' | 'maxpool' | 'flatten' | 'dense' | 'softmax';

export interface LayerDescription {
  name: string;
  kind: LayerKind;
  /** Per-sample output shape: [channels, height, width] for maps, [units] for vectors. */
  shape: number[];
  /** The layer this one reads from (absent for the input). */
  from?: string;
  kernel?: number;
  stride?: number;
  padding?: number;
  filters?: number;
  units?: number;
  /** Learnable tensors of the layer and their shapes (ONNX initializer names). */
  params?: Record<string, number[]>;
}

export interface ModelDescription {
  format: string;
  name: string;
  /** Changes whenever the weights do (a hash of the ONNX bytes). */
  version: string;
  /** ONNX file name, relative to the description's URL. */
  onnx: string;
  input: {
    name: string;
    shape: number[];
    /** x = (pixel · scale − mean) / std, pixel 0–255 with 255 = ink (MNIST's convention). */
    normalization: { scale: number; mean: number; std: number };
    /** How a drawing becomes the input, in words. */
    preprocessing?: string;
  };
  /** In execution order. Every layer but the input is an ONNX graph output of the same name. */
  layers: LayerDescription[];
  classes: string[];
  metrics?: {
    testAccuracy: number;
    testSet?: string;
    /** confusion[label][prediction] on the test set. */
    confusionMatrix?: number[][];
  };
  /**
   * The same network at moments of its training, oldest first (e.g. before any step, after 10 steps,
   * …, after the last epoch); the last entry is the shipped model, `onnx` itself. Every file has this
   * description's graph: the same input, every layer as a graph output, the same initializer names
   * (`params`), so a view can swap one in and keep its layout. Only the weights differ. Earlier files
   * store their initializers as float16 (ONNX data type 10, under the same names), each cast to float32
   * inside the graph: onnxruntime runs them as they are, and a reader of the weights decodes float16.
   * Absent when the model comes without its training history.
   */
  checkpoints?: CheckpointDescription[];
}

/** One moment of a model's training: its weights as an ONNX file, and how well they did. */
export interface CheckpointDescription {
  /** Optimizer steps (batches) done before this moment; 0 = the initial random weights. */
  step: number;
  /** Epochs done, step / steps per epoch: whole at the end of an epoch, a fraction within one. */
  epoch: number;
  /** Training images seen so far. */
  images?: number;
  /** ONNX file, relative to the description's URL (like `onnx`), e.g. `checkpoints/step-000010.onnx`. */
  onnx: string;
  /** Accuracy of this very file on the test set of `metrics` (0–1). */
  testAccuracy: number;
}

export const layerSize = (l: Pick<LayerDescription, 'shape'>): number => l.shape.reduce((a, b) => a * b, 1);

/** Checks the parts of a description the element relies on; throws a readable error otherwise. */
export function validateDescription(json: unknown): ModelDescription {
  const d = json as ModelDescription;
  const fail = (why: string) => {
    throw new Error(`invalid model description: ${why}`);
  };
  if (!d || typeof d !== 'object') fail('not a JSON object');
  if (!Array.isArray(d.layers) || d.layers.length < 2)
    fail('"layers" must list at least an input and an output');
  if (d.layers[0].kind !== 'input') fail('the first layer must be the input');
  const names = new Set<string>();
  for (const l of d.layers) {
    if (
      typeof l.name !== 'string' ||
      !Array.isArray(l.shape) ||
      l.shape.some((n) => !Number.isInteger(n) || n <= 0)
    )
      fail(`layer ${JSON.stringify(l.name)} has no valid name and shape`);
    if (l.kind !== 'input' && !names.has(l.from ?? ''))
      fail(`layer ${l.name} reads ${l.from}, not defined before it`);
    names.add(l.name);
  }
  if (!d.input?.normalization) fail('"input.normalization" is missing');
  if (!Array.isArray(d.classes)) fail('"classes" is missing');
  return d;
}
