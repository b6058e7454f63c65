/**
 * Which parts of an instance buffer changed since the last upload: a few ranges of instances, so a
 * frame uploads what the tour changed (a row of a map, a step of a sweep in every channel) instead of
 * the whole network's buffer. Allocates nothing after construction.
 */
export class DirtyRanges {
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private n = 0;

  /** At most `capacity` ranges: more are merged into one that covers them all. */
  constructor(capacity = 64) {
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
  }

  get count(): number {
    return this.n;
  }

  /** Marks instances [from, to) as changed. */
  add(from: number, to: number): void {
    if (to <= from) return;
    for (let i = 0; i < this.n; i++) {
      // overlapping or touching: grow that range
      if (from <= this.hi[i] && to >= this.lo[i]) {
        this.lo[i] = Math.min(this.lo[i], from);
        this.hi[i] = Math.max(this.hi[i], to);
        return;
      }
    }
    if (this.n === this.lo.length) {
      let lo = from;
      let hi = to;
      for (let i = 0; i < this.n; i++) {
        lo = Math.min(lo, this.lo[i]);
        hi = Math.max(hi, this.hi[i]);
      }
      this.lo[0] = lo;
      this.hi[0] = hi;
      this.n = 1;
      return;
    }
    this.lo[this.n] = from;
    this.hi[this.n] = to;
    this.n++;
  }

  /** Calls `fn(from, to)` for each changed range, then forgets them. */
  drain(fn: (from: number, to: number) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.lo[i], this.hi[i]);
    this.n = 0;
  }
}
