import type { LayerKind } from '../model/description.js';

/** One layer's output for one drawing. */
export interface LayerActivation {
  name: string;
  kind: LayerKind;
  shape: number[];
  data: Float32Array;
}

/** What every inference backend returns: every layer's output, in the model's order. */
export interface Activations {
  /** All layers including the input (the normalised input, C×H×W). */
  layers: LayerActivation[];
  /** One probability per class, summing to 1. */
  probabilities: Float32Array;
  /** Index of the most probable class. */
  prediction: number;
}

/** The one seam between "where the model runs" and "what is drawn". */
export interface InferenceBackend {
  /**
   * Classifies a preprocessed input: the model's C×H×W bytes (784 for MNIST's 28×28), 255 = ink (see `preprocess`).
   * Rejects with an Error whose message a reader can understand.
   */
  infer(pixels: Uint8Array): Promise<Activations>;
  /**
   * Chooses the weights later `infer` calls run: `null` (the default) the model's own weights (the
   * shipped model), or an index into the model description's `checkpoints` (the network at a moment of
   * its training). Requests already in flight are unaffected. Optional: a backend without it runs the
   * model's own weights only.
   */
  setCheckpoint?(index: number | null): void;
  /** Releases sockets, sessions and workers. */
  dispose?(): void;
}
