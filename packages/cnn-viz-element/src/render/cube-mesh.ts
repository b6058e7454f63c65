/**
 * Every layer's cubes in one box mesh drawn with thin instances: one draw call for the whole network.
 * The matrix and colour buffers are allocated once; each layer writes into its own slice (a view, made
 * once) and marks the buffer dirty; `flush()` uploads dirty buffers once before a frame
 * (`staticBuffer = false` + `thinInstanceBufferUpdated`), so nothing is allocated per frame.
 */
import type { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
// without this side effect thinInstanceSetBuffer silently does nothing
import '@babylonjs/core/Meshes/thinInstanceMesh.js';

export interface CubeSlice {
  /** 16 floats per cube (a world matrix). */
  readonly matrices: Float32Array;
  /** RGBA per cube; alpha carries the cube's strength, from which the shader raises it. */
  readonly colors: Float32Array;
  markDirty(buffer: 'matrix' | 'color'): void;
}

export class CubeMesh {
  readonly mesh: Mesh;
  private readonly matrices: Float32Array;
  private readonly colors: Float32Array;
  private dirtyMatrix = false;
  private dirtyColor = false;
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
      markDirty: (buffer) => {
        if (buffer === 'matrix') this.dirtyMatrix = true;
        else this.dirtyColor = true;
      },
    };
  }

  /** Uploads what changed since the last frame. */
  /** Uploads what changed; true when anything did (the frame must be drawn). */
  flush(): boolean {
    const changed = this.dirtyMatrix || this.dirtyColor;
    if (this.dirtyMatrix) this.mesh.thinInstanceBufferUpdated('matrix');
    if (this.dirtyColor) this.mesh.thinInstanceBufferUpdated('color');
    this.dirtyMatrix = this.dirtyColor = false;
    return changed;
  }

  get instanceCount(): number {
    return this.mesh.thinInstanceCount;
  }
}
