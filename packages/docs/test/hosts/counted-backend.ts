/**
 * A page's own inference backend, as the element's `backend` property accepts it (any object with
 * `infer(pixels) → Promise<Activations>`): here the package's real `LocalOnnxBackend`, wrapped to count
 * the drawings it classifies, so a test can tell which backend answered.
 */
import {
  LocalOnnxBackend,
  type Activations,
  type InferenceBackend,
  type ModelDescription,
} from 'cnn-visualizer';

export interface CountedBackend extends InferenceBackend {
  /** Drawings classified so far. */
  readonly calls: number;
}

export function countedBackend(base: string): CountedBackend {
  let local: Promise<LocalOnnxBackend> | undefined;
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async infer(pixels: Uint8Array): Promise<Activations> {
      calls++;
      local ??= fetch(`${base}cnn.json`)
        .then((r) => r.json() as Promise<ModelDescription>)
        .then((model) => new LocalOnnxBackend(model, { modelUrl: `${base}cnn.onnx`, wasmPath: base }));
      return (await local).infer(pixels);
    },
  };
}

/** What the apps expose to the test: each item's own backend, by item id. */
declare global {
  interface Window {
    hostBackends: Record<string, CountedBackend>;
  }
}
