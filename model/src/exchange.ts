/**
 * Adding up per-thread partial sums across the worker threads that share a batch, through shared
 * memory: each thread writes its part into its own slot, waits until every thread has, then adds the
 * slots in slot order (so every thread gets the same bits, whatever the scheduling), and waits again
 * before a slot may be overwritten. Used by batch normalisation, whose statistics span the batch.
 */
import type { Combine } from './batch.ts';

/** Doubles per slot: the longest partial sum (2 × the widest batch norm's channels + 1). */
export const EXCHANGE_SLOT = 1024;
/** A thread that waits longer than this for the others gives up (one of them has failed). */
const TIMEOUT_MS = 120_000;

/** The shared memory for `parties` threads: the slots, and a barrier (arrived count, generation). */
export function exchangeBuffers(parties: number): { slots: SharedArrayBuffer; barrier: SharedArrayBuffer } {
  return {
    slots: new SharedArrayBuffer(parties * EXCHANGE_SLOT * 8),
    barrier: new SharedArrayBuffer(2 * 4),
  };
}

/** Blocks until all `parties` threads have called it (a generation counter makes it reusable). */
function waitForAll(ctl: Int32Array, parties: number): void {
  const generation = Atomics.load(ctl, 1);
  if (Atomics.add(ctl, 0, 1) === parties - 1) {
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    return;
  }
  const deadline = Date.now() + TIMEOUT_MS;
  while (Atomics.load(ctl, 1) === generation) {
    if (Atomics.wait(ctl, 1, generation, Math.max(1, deadline - Date.now())) === 'timed-out')
      throw new Error(`a training thread waited ${TIMEOUT_MS / 1000} s for the others' batch statistics`);
  }
}

/** The `Combine` of thread `index` out of `parties` (each thread must call it the same number of times). */
export function sharedCombine(
  buffers: { slots: SharedArrayBuffer; barrier: SharedArrayBuffer },
  index: number,
  parties: number,
): Combine {
  const slots = new Float64Array(buffers.slots);
  const ctl = new Int32Array(buffers.barrier);
  return (partial) => {
    if (partial.length > EXCHANGE_SLOT)
      throw new Error(`a partial sum of ${partial.length} values does not fit a slot of ${EXCHANGE_SLOT}`);
    slots.set(partial, index * EXCHANGE_SLOT);
    waitForAll(ctl, parties);
    const total = new Float64Array(partial.length);
    for (let j = 0; j < parties; j++)
      for (let k = 0; k < partial.length; k++) total[k] += slots[j * EXCHANGE_SLOT + k];
    waitForAll(ctl, parties);
    return total;
  };
}
