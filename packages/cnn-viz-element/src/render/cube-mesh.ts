/**
 * Every layer's cubes in one box mesh drawn with thin instances: one draw call for the whole network.
 * The matrix and colour buffers are allocated once; each layer writes into its own slice (a view, made
 * once) and marks the instances it changed; `flush()` uploads only those ranges, once before a frame
 * (`staticBuffer = false` + `thinInstancePartialBufferUpdate`). How far the tour has revealed each
 * layer is not in the buffers at all but a uniform per layer (`shader.ts`): a tour frame on a
 * 100k-cube network, and a step that hides every later layer at once, upload no cube.
 */
import type { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
// without this side effect thinInstanceSetBuffer silently does nothing
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import { DirtyRanges } from './dirty-ranges.js';

export interface CubeSlice {
  /** 16 floats per cube (a world matrix). */
  readonly matrices: Float32Array;
  /** RGBA per cube; alpha carries the cube's strength, from which the shader raises it. */
  readonly colors: Float32Array;
  /** Marks cubes [from, to) of the slice (all of them by default) for upload before the next frame. */
  markDirty(buffer: 'matrix' | 'color', from?: number, to?: number): void;
  /**
   * Draws the slice's cubes whose index (or, with `positions`, whose position within their map) is
   * < `limit` in colour, the rest as flat ghosts.
   */
  setReveal(limit: number, positions: boolean): void;
}

export class CubeMesh {
  readonly mesh: Mesh;
  private readonly matrices: Float32Array;
  private readonly colors: Float32Array;
  private readonly dirty = { matrix: new DirtyRanges(), color: new DirtyRanges() };
  /** The shader's `reveal` uniform: limit and mode per slice. */
  private readonly reveal: number[];
  private revealChanged = true;
  private used = 0;
  private slices = 0;

  constructor(
    readonly capacity: number,
    readonly layers: number,
    scene: Scene,
    private readonly material: ShaderMaterial,
  ) {
    this.reveal = new Array<number>(4 * Math.max(1, layers)).fill(0);
    this.matrices = new Float32Array(16 * capacity);
    this.colors = new Float32Array(4 * capacity);
    this.mesh = CreateBox('cubes', { size: 1 }, scene);
    this.mesh.material = material;
    this.mesh.isPickable = false;
    this.mesh.doNotSyncBoundingInfo = true;
    this.mesh.alwaysSelectAsActiveMesh = true;
    this.mesh.thinInstanceSetBuffer('matrix', this.matrices, 16, false);
    this.mesh.thinInstanceSetBuffer('color', this.colors, 4, false);
  }

  /** The next `count` cubes, for one layer. */
  slice(count: number): CubeSlice {
    if (this.used + count > this.capacity) throw new RangeError('more cubes than the mesh was made for');
    if (this.slices === this.layers) throw new RangeError('more layers than the mesh was made for');
    const from = this.used;
    const r = 4 * this.slices++;
    this.used += count;
    return {
      setReveal: (limit, positions) => {
        if (this.reveal[r] === limit && this.reveal[r + 1] === (positions ? 1 : 0)) return;
        this.reveal[r] = limit;
        this.reveal[r + 1] = positions ? 1 : 0;
        this.revealChanged = true;
      },
      matrices: this.matrices.subarray(16 * from, 16 * (from + count)),
      colors: this.colors.subarray(4 * from, 4 * (from + count)),
      markDirty: (buffer, lo = 0, hi = count) =>
        this.dirty[buffer].add(from + Math.max(0, lo), from + Math.min(count, hi)),
    };
  }

  /** Uploads what changed since the last frame; true when anything did (the frame must be drawn). */
  flush(): boolean {
    const changed = this.dirty.matrix.count > 0 || this.dirty.color.count > 0 || this.revealChanged;
    if (this.revealChanged) this.material.setArray4('reveal', this.reveal);
    this.revealChanged = false;
    this.dirty.matrix.drain(this.uploadMatrices);
    this.dirty.color.drain(this.uploadColors);
    return changed;
  }

  private readonly uploadMatrices = (from: number, to: number) =>
    this.mesh.thinInstancePartialBufferUpdate('matrix', to - from, from);
  private readonly uploadColors = (from: number, to: number) =>
    this.mesh.thinInstancePartialBufferUpdate('color', to - from, from);

  /** The colour of cubes not computed yet. */
  setGhost(rgb: readonly number[]): void {
    this.material.setColor3('ghost', new Color3(rgb[0], rgb[1], rgb[2]));
  }

  get instanceCount(): number {
    return this.mesh.thinInstanceCount;
  }
}
