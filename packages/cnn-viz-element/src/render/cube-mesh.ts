/**
 * Every layer's cubes in one box mesh drawn with thin instances: one draw call for the whole network.
 * The matrix and colour buffers are allocated once; each layer writes into its own slice (a view, made
 * once) and marks the instances it changed; `flush()` uploads only those ranges, once before a frame
 * (`staticBuffer = false` + `thinInstancePartialBufferUpdate`): a tour frame on a 100k-cube network
 * sends the few cubes the sweep reached, not 1.6 MB of colours.
 */
import type { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
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
}

export class CubeMesh {
  readonly mesh: Mesh;
  private readonly matrices: Float32Array;
  private readonly colors: Float32Array;
  private readonly dirty = { matrix: new DirtyRanges(), color: new DirtyRanges() };
  private used = 0;

  constructor(
    readonly capacity: number,
    scene: Scene,
    material: ShaderMaterial,
  ) {
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
    const from = this.used;
    this.used += count;
    return {
      matrices: this.matrices.subarray(16 * from, 16 * (from + count)),
      colors: this.colors.subarray(4 * from, 4 * (from + count)),
      markDirty: (buffer, lo = 0, hi = count) =>
        this.dirty[buffer].add(from + Math.max(0, lo), from + Math.min(count, hi)),
    };
  }

  /** Uploads what changed since the last frame; true when anything did (the frame must be drawn). */
  flush(): boolean {
    const changed = this.dirty.matrix.count > 0 || this.dirty.color.count > 0;
    this.dirty.matrix.drain(this.uploadMatrices);
    this.dirty.color.drain(this.uploadColors);
    return changed;
  }

  private readonly uploadMatrices = (from: number, to: number) =>
    this.mesh.thinInstancePartialBufferUpdate('matrix', to - from, from);
  private readonly uploadColors = (from: number, to: number) =>
    this.mesh.thinInstancePartialBufferUpdate('color', to - from, from);

  get instanceCount(): number {
    return this.mesh.thinInstanceCount;
  }
}
