/**
 * One layer's cubes: its slice of the network's single thin-instanced mesh (`cube-mesh.ts`). Colours
 * and heights are written in place into that slice, so changing activations or animating allocates
 * nothing. How far the tour has revealed the layer is the shader's business (a uniform per layer,
 * compared with each cube's index or position carried in its matrix): revealing, hiding and sweeping
 * upload no cube at all, so a tour frame costs the same whatever the layer's size.
 */
import { colorize, domainFor, type Domain, type Palette } from './colormap.js';
import type { CubeSlice } from './cube-mesh.js';
import type { LayerLayout } from './layout.js';
import { DEPTH_RANGE, MIN_DEPTH } from './shader.js';

export class LayerMesh {
  /** The colour scale and numbers of the current values (what the legend shows for this layer). */
  domain: Domain;
  /** The colours of the current activations, alpha = strength (the shader shows them where revealed). */
  private readonly rgba: Float32Array;
  /** Each cube's strength 0–1 under the colour map. */
  readonly strength: Float32Array;
  private readonly matrices: Float32Array;
  /** How far the tour has revealed this layer: the first `limit` cubes, or positions < `limit` per channel. */
  private revealMode: 'count' | 'positions' = 'count';
  private limit: number;
  private readonly plane: number;
  private rise = 1;
  private hasValues = false;
  private values: ArrayLike<number> | null = null;
  private overlay: ArrayLike<number> | null = null;
  /** Counts the changes to what its cubes look like (colours, heights, reveal): highlights placed on
   * its cubes are still right while it stays the same. */
  version = 0;

  /** For the input layer: its values as ink 0–255 (what its cubes show, in every channel alike). */
  private readonly ink: Float32Array | null;

  /**
   * @param toInk For the input layer: turns its normalised values into ink 0–255 (`inkOf` with the
   *   model's normalisation), so "no ink" is grey in every channel whatever each channel's mean, and
   *   ink is red for a model that reads dark ink too.
   */
  constructor(
    readonly layout: LayerLayout,
    private readonly slice: CubeSlice,
    private palette: Palette,
    private readonly toInk?: (values: ArrayLike<number>, out: Float32Array) => void,
  ) {
    this.ink = toInk ? new Float32Array(layout.count) : null;
    const n = layout.count;
    this.domain = domainFor(layout.kind, []);
    this.matrices = slice.matrices;
    this.rgba = slice.colors;
    this.strength = new Float32Array(n);
    this.limit = n;
    this.plane = layout.isMap ? layout.height * layout.width : n;
    for (let i = 0; i < n; i++) {
      const m = 16 * i;
      this.matrices[m] = layout.cube;
      this.matrices[m + 5] = layout.cube;
      this.matrices[m + 12] = layout.xy[2 * i];
      this.matrices[m + 13] = layout.xy[2 * i + 1];
      this.matrices[m + 15] = 1;
      // which cube this is, for the shader's reveal (the matrix's last row, unused by a placement)
      this.matrices[m + 3] = layout.index + 1;
      this.matrices[m + 7] = i;
      this.matrices[m + 11] = i % this.plane;
    }
    this.writeDepths();
    slice.markDirty('matrix');
    slice.markDirty('color');
    this.applyReveal();
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
    this.version++;
    const values = this.values;
    this.hasValues = values !== null;
    if (values && this.overlay)
      this.domain = colorize(this.overlay, 'saliency', this.palette, this.rgba, this.strength);
    else if (values && this.toInk && this.ink) {
      this.toInk(values, this.ink);
      this.domain = colorize(this.ink, this.layout.kind, this.palette, this.rgba, this.strength);
    } else if (values)
      this.domain = colorize(values, this.layout.kind, this.palette, this.rgba, this.strength);
    else this.strength.fill(0);
    if (values) this.slice.markDirty('color');
    this.applyReveal();
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
  }

  /** Shows the first `count` cubes in colour and the rest as ghosts (the tour's sweep). */
  reveal(count: number): void {
    const limit = Math.max(0, Math.min(this.layout.count, Math.floor(count)));
    if (this.revealMode === 'count' && limit === this.limit) return;
    this.revealMode = 'count';
    this.limit = limit;
    this.applyReveal();
  }

  /** Shows cubes whose position within their channel is < `position`, in all channels at once. */
  revealPositions(position: number): void {
    const limit = Math.max(0, Math.min(this.plane, Math.floor(position)));
    if (this.revealMode === 'positions' && limit === this.limit) return;
    this.revealMode = 'positions';
    this.limit = limit;
    this.applyReveal();
  }

  /** Whether cube `i` is drawn in colour now (computed, and reached by the tour). */
  private lit(i: number): boolean {
    return this.hasValues && (this.revealMode === 'count' ? i : i % this.plane) < this.limit;
  }

  /** Scales every cube's height (the softmax bars rising), 0–1. */
  setRise(rise: number): void {
    if (rise === this.rise) return;
    this.version++;
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

  /** Tells the shader how far this layer is revealed (nothing, before any activations). */
  private applyReveal() {
    this.version++;
    this.slice.setReveal(this.hasValues ? this.limit : 0, this.revealMode === 'positions');
  }

  /**
   * The colours as drawn, RGBA per cube with alpha = strength (ghosts flat): what the shader shows,
   * worked out here for tests, which must find the activations through the colour map. Allocates.
   */
  get colors(): Float32Array {
    const out = new Float32Array(this.rgba.length);
    const g = this.palette.ghost;
    for (let i = 0; i < this.layout.count; i++) {
      if (this.lit(i)) out.set(this.rgba.subarray(4 * i, 4 * i + 4), 4 * i);
      else out.set([g[0], g[1], g[2], 0], 4 * i);
    }
    return out;
  }

  /**
   * The z of a cube's top face, for placing highlights: cubes rise from the plane z = 0 towards −z
   * (the camera's side), so this is −(its height).
   */
  depthOf(i: number): number {
    const strength = this.lit(i) ? this.rgba[4 * i + 3] : 0;
    return -(MIN_DEPTH + DEPTH_RANGE * strength) * this.matrices[16 * i + 10];
  }

  /** Cubes of this layer (its slice of the shared mesh). */
  get instanceCount(): number {
    return this.rgba.length / 4;
  }
}
