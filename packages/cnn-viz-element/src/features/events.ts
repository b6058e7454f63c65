/**
 * The element's public events: the only events that leave its shadow root. Every one is a
 * `CustomEvent` that bubbles and is composed, named `cnn-…` (one prefix for the whole library).
 * Internal events between the element's parts stay inside the shadow root (`composed: false`).
 */
import type { Activations } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';

/** Where the network runs, in one vocabulary: attribute values, `activeBackend`, `cnn-ready`. */
export type ActiveBackend = 'local' | 'server' | 'custom';

export interface ProgressDetail {
  /** What is loading: the model description, the runtime (ORT's wasm), the model's weights, the server connection. */
  phase: 'description' | 'runtime' | 'model' | 'connection';
  /** Done so far, in `total`'s unit (bytes when known, else steps). */
  loaded: number;
  total: number;
}

export interface ReadyDetail {
  model: ModelDescription;
  backend: ActiveBackend;
}

export type InputSource = 'draw' | 'sample' | 'api' | 'clear';

export interface InputDetail {
  /** The input as the model reads it (C×H×W bytes, channel by channel, 255 = ink; 784 for MNIST), or null when cleared. */
  pixels: Uint8Array | null;
  source: InputSource;
}

export interface PredictionDetail {
  prediction: number;
  probabilities: Float32Array;
  activations: Activations;
  /** The input that was classified (C×H×W bytes, 255 = ink). */
  pixels: Uint8Array;
}

export interface StepDetail {
  index: number;
  id: string;
  title: string;
}

export interface CheckpointDetail {
  /** Index into the description's `checkpoints` (0 = before training; the last = the shipped model). */
  index: number;
  /** Optimizer steps done at that moment, and epochs (step / steps per epoch). */
  step: number;
  epoch: number;
  /** That moment's accuracy on the test set (0–1). */
  testAccuracy: number;
}

export interface ErrorDetail {
  type: 'model' | 'backend' | 'inference' | 'webgl';
  message: string;
  sourceError?: unknown;
}

export interface CnnEventMap {
  'cnn-progress': CustomEvent<ProgressDetail>;
  'cnn-ready': CustomEvent<ReadyDetail>;
  'cnn-input': CustomEvent<InputDetail>;
  'cnn-prediction': CustomEvent<PredictionDetail>;
  'cnn-step': CustomEvent<StepDetail>;
  'cnn-checkpoint': CustomEvent<CheckpointDetail>;
  'cnn-error': CustomEvent<ErrorDetail>;
}

/** Dispatches one of the public events from the element. */
export function emit<K extends keyof CnnEventMap>(
  host: HTMLElement,
  type: K,
  detail: CnnEventMap[K]['detail'],
): void {
  host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

/** Dispatches an event between the element's own parts: it never leaves the shadow root. */
export function emitInternal<T>(from: HTMLElement, type: string, detail?: T): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: false }));
}
