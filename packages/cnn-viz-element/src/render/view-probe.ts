/**
 * What tests and benchmarks read off a `NetworkView` — its instance counts, the colours it uploads,
 * its draw calls — kept out of the view's own API, which the element and the tour use.
 *
 *   import { probe } from '../render/view-probe.js';
 *   probe(view).drawCalls;
 */
import type { NetworkView } from './network-view.js';

export interface ViewProbe {
  /** Thin instances of one layer (one per activation). */
  instanceCount(layer: string): number;
  /** Thin instances of the whole network's mesh (one per activation of every layer). */
  readonly totalInstances: number;
  /** The colour buffer as drawn for a layer, RGBA per cube. */
  colorBuffer(layer: string): Float32Array;
  /** Draw calls of the last frame. */
  readonly drawCalls: number;
  /** Where the camera is: its angles (radians), distance and target, as last updated. */
  readonly camera: { alpha: number; beta: number; radius: number; target: number[] };
}

const probes = new WeakMap<NetworkView, ViewProbe>();

/** Called by each view as it is made. */
export function registerProbe(view: NetworkView, p: ViewProbe): void {
  probes.set(view, p);
}

export function probe(view: NetworkView): ViewProbe {
  const p = probes.get(view);
  if (!p) throw new Error('not a NetworkView');
  return p;
}
