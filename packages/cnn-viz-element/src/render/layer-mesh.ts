/**
 * One layer's cubes: its slice of the network's single thin-instanced mesh (`cube-mesh.ts`). Colours
 * and heights are written in place into that slice, so changing activations or animating allocates
 * nothing; the mesh uploads what changed once per frame. A tour frame touches only the cubes whose
 * state changes (the sweep's new positions in each channel), so its cost follows the sweep's step,
 * not the layer's size.
 */
import { colorize, domainFor, type Domain, type Palette } from './colormap.js';
import type { CubeSlice } from './cube-mesh.js';
import type { LayerLayout } from './layout.js';
import { DEPTH_RANGE, MIN_DEPTH } from './shader.js';

export class LayerMesh {
  /** The colour scale and numbers of the current values (what the legend shows for this layer). */
  domain: Domain;
  /** The colours drawn (what the tour has revealed so far). */
  private readonly shown: Float32Array;
  /** The colours of the current activations. */
  readonly target: Float32Array;
  /** Each cube's strength 0–1 under the colour map. */
  readonly strength: Float32Array;
  private readonly matrices: Float32Array;
  /** How far the tour has revealed this layer: the first `limit` cubes, or positions < `limit` per channel. */
  private revealMode: 'count' | 'positions' = 'count';
  private limit: number;
  private rise = 1;
  private hasValues = false;
  private values: ArrayLike<number> | null = null;
  private overlay: ArrayLike<number> | null = null;

  constructor(
    readonly layout: LayerLayout,
    private readonly slice: CubeSlice,
    private palette: Palette,
  ) {
    const n = layout.count;
    this.domain = domainFor(layout.kind, []);
    this.matrices = slice.matrices;
    this.shown = slice.colors;
    this.target = new Float32Array(4 * n);
    this.strength = new Float32Array(n);
    this.limit = n;
    for (let i = 0; i < n; i++) {
      const m = 16 * i;
      this.matrices[m] = layout.cube;
      this.matrices[m + 5] = layout.cube;
      this.matrices[m + 12] = layout.xy[2 * i];
      this.matrices[m + 13] = layout.xy[2 * i + 1];
      this.matrices[m + 15] = 1;
    }
    this.writeDepths();
    for (let i = 0; i < n; i++) this.copyColor(i, false);
    slice.markDirty('matrix');
    slice.markDirty('color');
  }

  /**
   * New activations (or null: nothing drawn). Only the colour buffer changes: the colour's alpha
   * carries each cube's strength, from which the shader raises it.
   */
  setValues(values: ArrayLike<number> | null): void {
    this.values = values;
    this.recolour();
  }

  /**
   * Draws another map over this layer's cubes instead of its values, on the sequential scale: a
   * saliency map over the input layer (one value per cube, ≥ 0). Null goes back to the values.
   */
  setOverlay(map: ArrayLike<number> | null): void {
    if (map && map.length !== this.layout.count)
      throw new RangeError(
        `${this.layout.name}: an overlay of ${map.length} values for ${this.layout.count} cubes`,
      );
    this.overlay = map;
    this.recolour();
  }

  private recolour() {
    const values = this.values;
    this.hasValues = values !== null;
    if (values && this.overlay)
      this.domain = colorize(this.overlay, 'saliency', this.palette, this.target, this.strength);
    else if (values)
      this.domain = colorize(values, this.layout.kind, this.palette, this.target, this.strength);
    else this.strength.fill(0);
    this.applyReveal();
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
  }

  /** Shows the first `count` cubes in colour and the rest as ghosts (the tour's sweep). */
  reveal(count: number): void {
    const c = Math.max(0, Math.min(this.layout.count, Math.floor(count)));
    if (this.revealMode === 'count') {
      if (c === this.limit) return;
      // only the cubes between the old and the new limit change
      const from = Math.min(c, this.limit);
      const to = Math.max(c, this.limit);
      this.limit = c;
      this.applyReveal(from, to);
      return;
    }
    const same = this.showsAllOrNone(c === 0 ? 'none' : c === this.layout.count ? 'all' : 'some');
    this.revealMode = 'count';
    this.limit = c;
    if (!same) this.applyReveal();
  }

  /** Shows cubes whose position within their channel is < `position`, in all channels at once. */
  revealPositions(position: number): void {
    const plane = this.layout.height * this.layout.width;
    const p = Math.max(0, Math.min(plane, Math.floor(position)));
    if (this.revealMode === 'positions') {
      if (p === this.limit) return;
      // in every channel, only the positions between the old and the new limit change
      const from = Math.min(p, this.limit);
      const to = Math.max(p, this.limit);
      this.limit = p;
      for (let c = 0; c < this.layout.channels; c++) this.applyReveal(c * plane + from, c * plane + to);
      return;
    }
    const same = this.showsAllOrNone(p === 0 ? 'none' : p === plane ? 'all' : 'some');
    this.revealMode = 'positions';
    this.limit = p;
    if (!same) this.applyReveal();
  }

  /**
   * Whether the layer shows all its cubes now and will (or none and none): then a switch between the
   * two ways of revealing (the tour's next step shows a finished sweep in full) recolours nothing.
   */
  private showsAllOrNone(next: 'all' | 'none' | 'some'): boolean {
    const end = this.revealMode === 'count' ? this.layout.count : this.layout.height * this.layout.width;
    const now = this.limit === 0 ? 'none' : this.limit >= end ? 'all' : 'some';
    return next !== 'some' && next === now;
  }

  /** Scales every cube's height (the softmax bars rising), 0–1. */
  setRise(rise: number): void {
    if (rise === this.rise) return;
    this.rise = rise;
    this.writeDepths();
    this.slice.markDirty('matrix');
  }

  /** The layer's z scale: taller bars for the labelled outputs, times the tour's rise. */
  private writeDepths() {
    const n = this.layout.count;
    const m = this.matrices;
    const z = (this.layout.labelled ? 3 : 1) * Math.max(0.02, this.rise);
    for (let i = 0; i < n; i++) m[16 * i + 10] = z;
  }

  /** Shows cubes [from, to) as the reveal says (lit or ghost) and marks them for upload. */
  private applyReveal(from = 0, to = this.layout.count) {
    if (this.revealMode === 'count') {
      for (let i = from; i < to; i++) this.copyColor(i, this.hasValues && i < this.limit);
    } else {
      const plane = this.layout.height * this.layout.width;
      for (let i = from; i < to; i++) this.copyColor(i, this.hasValues && i % plane < this.limit);
    }
    this.slice.markDirty('color', from, to);
  }

  private copyColor(i: number, lit: boolean) {
    const s = this.shown;
    if (lit) {
      s[4 * i] = this.target[4 * i];
      s[4 * i + 1] = this.target[4 * i + 1];
      s[4 * i + 2] = this.target[4 * i + 2];
      s[4 * i + 3] = this.strength[i];
    } else {
      // not computed yet: a flat ghost
      const g = this.palette.ghost;
      s[4 * i] = g[0];
      s[4 * i + 1] = g[1];
      s[4 * i + 2] = g[2];
      s[4 * i + 3] = 0;
    }
  }

  /** The colour buffer as drawn (for tests: it must match the activations through the colour map). */
  get colors(): Float32Array {
    return this.shown;
  }

  /**
   * The z of a cube's top face, for placing highlights: cubes rise from the plane z = 0 towards −z
   * (the camera's side), so this is −(its height).
   */
  depthOf(i: number): number {
    return -(MIN_DEPTH + DEPTH_RANGE * this.shown[4 * i + 3]) * this.matrices[16 * i + 10];
  }

  /** Cubes of this layer (its slice of the shared mesh). */
  get instanceCount(): number {
    return this.shown.length / 4;
  }
}
