/**
 * Training on a batch, one `Network` per sample, layer by layer: what batch normalisation needs, since
 * it normalises each sample with statistics of the whole batch. Before a batch norm runs forward, every
 * sample adds its share of the per-channel sums; before it runs backward, its share of the gradient
 * sums. When a batch is split over worker threads (`trainer.ts`), `combine` adds up the shares of all
 * threads (`exchange.ts`); alone, the shares are the whole batch's.
 *
 * Each parameter's gradient still sums the samples in order 0, 1, 2, …, as a sample-by-sample loop
 * does, so a network without batch norm gets the same bits either way.
 */
import { batchMoments, updateRunningMoments, type BatchMoments } from './batch-norm.ts';
import { argmax, Network, type ParamLayout } from './network.ts';
import type { Vec } from './ops.ts';

/** Adds `partial` to the same sums of every other part of the batch, in a fixed order; returns the totals. */
export type Combine = (partial: Float64Array) => Float64Array;

export class Batch {
  private readonly nets: Network[] = [];

  constructor(
    private readonly layout: ParamLayout,
    private readonly params: Float64Array,
    private readonly combine: Combine = (partial) => partial,
  ) {}

  /** The network holding sample i (its `acts[0]` is the input to fill). */
  sample(i: number): Network {
    while (this.nets.length <= i) this.nets.push(new Network(this.layout, this.params));
    return this.nets[i];
  }

  /**
   * Trains on samples 0…n−1 (inputs already in `sample(i).acts[0]`): forward with batch statistics,
   * then backward for `labels`, accumulating the gradient of the summed loss into `grads`. Moves the
   * batch norms' running averages when `updateRunning` (one thread of a split batch does it).
   * Returns the summed loss and the number of samples the forward pass got right.
   */
  train(
    n: number,
    labels: ArrayLike<number>,
    grads: Float64Array,
    updateRunning: boolean,
  ): { loss: number; correct: number } {
    const first = this.sample(0);
    const steps = first.stepCount;
    const contexts: (BatchMoments | undefined)[] = [];
    for (let s = 0; s < steps; s++) {
      const g = first.batchNormAt(s);
      let moments: BatchMoments | undefined;
      if (g) {
        const partial = new Float64Array(2 * g.channels + 1);
        for (let i = 0; i < n; i++) this.nets[i].addBatchNormSums(s, partial, 'moments');
        partial[2 * g.channels] = n * g.plane;
        const total = this.combine(partial);
        moments = batchMoments(total, total[2 * g.channels], g);
        if (updateRunning) updateRunningMoments(this.params, moments, g);
      }
      contexts.push(moments);
      const bn = moments && { moments };
      for (let i = 0; i < n; i++) this.nets[i].forwardStep(s, bn);
    }
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const net = this.nets[i];
      if (argmax(net.acts[steps]) === labels[i]) correct++;
      loss += net.lossGradient(labels[i]);
    }
    for (let s = steps - 2; s >= 0; s--) {
      const moments = contexts[s];
      let gradientSums: Vec | undefined;
      if (moments) {
        const g = first.batchNormAt(s)!;
        const partial = new Float64Array(2 * g.channels);
        for (let i = 0; i < n; i++) this.nets[i].addBatchNormSums(s, partial, 'gradient');
        gradientSums = this.combine(partial);
      }
      const bn = moments && { moments, gradientSums };
      for (let i = 0; i < n; i++) this.nets[i].backwardStep(s, grads, bn);
    }
    return { loss, correct };
  }
}
