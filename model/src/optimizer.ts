/** Adam (Kingma & Ba, 2015) with decoupled weight decay, over one flat parameter array. */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params −= lr · m̂ / (√v̂ + ε) + lr · decay · params (decay only where `decayMask` is 1). */
  step(params: Float64Array, grads: Float64Array, lr: number, weightDecay = 0, decayMask?: Uint8Array): void {
    this.t++;
    const { m, v, beta1, beta2, eps } = this;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      let update = m[i] / c1 / (Math.sqrt(v[i] / c2) + eps);
      if (weightDecay && (!decayMask || decayMask[i])) update += weightDecay * params[i];
      params[i] -= lr * update;
    }
  }
}

/** Cosine decay from `peak` to `floor` after a linear warm-up, as a function of the step number. */
export function cosineSchedule(peak: number, floor: number, warmupSteps: number, totalSteps: number) {
  return (step: number): number => {
    if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * t));
  };
}
