/**
 * The 3D view of a network: Babylon engine, scene, camera, one `LayerMesh` per layer, highlights and
 * picking. Knows nothing of the element; the element and the tour drive it through this API.
 */
// ThinEngine, not Engine: ~17 KB gzip less, with exactly the extensions this view uses (without each
// side effect the matching call is missing at run time)
import { ThinEngine } from '@babylonjs/core/Engines/thinEngine.js';
import '@babylonjs/core/Engines/AbstractEngine/abstractEngine.dom.js'; // getAspectRatio
import '@babylonjs/core/Engines/AbstractEngine/abstractEngine.stencil.js';
import '@babylonjs/core/Engines/AbstractEngine/abstractEngine.states.js';
import '@babylonjs/core/Engines/AbstractEngine/abstractEngine.alpha.js';
import '@babylonjs/core/Engines/AbstractEngine/abstractEngine.renderPass.js';
import '@babylonjs/core/Engines/Extensions/engine.uniformBuffer.js';
import '@babylonjs/core/Engines/Extensions/engine.alpha.js';
import '@babylonjs/core/Engines/Extensions/engine.dynamicBuffer.js';
import { PerfCounter } from '@babylonjs/core/Misc/perfCounter.js';
import type { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import { Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { Scene } from '@babylonjs/core/scene.js';
import type { Activations } from '../inference/activations.js';
import { argmax } from '../model/argmax.js';
import type { LayerDescription, LayerKind, ModelDescription } from '../model/description.js';
import { inkOf } from '../model/normalization.js';
import { PALETTES, type Palette } from './colormap.js';
import { CubeMesh } from './cube-mesh.js';
import { LayerMesh } from './layer-mesh.js';
import { checkRenderable } from './limits.js';
import { addressOf, cubeAt, layoutNetwork, receptiveField, type NetworkLayout } from './layout.js';
import { OrbitCamera } from './orbit-camera.js';
import { createCubeMaterial } from './shader.js';
import { registerProbe } from './view-probe.js';

export interface NetworkViewOptions {
  theme: 'light' | 'dark';
  /** No camera flights or sweeps: the tour jumps to each step's final state. */
  reducedMotion: boolean;
}

export interface PickInfo {
  layer: string;
  kind: LayerKind;
  channel: number;
  /** −1 for vector layers. */
  row: number;
  col: number;
  /** Index of the activation in the layer's flat output. */
  index: number;
  value: number;
}

export interface ScreenLabel {
  text: string;
  x: number;
  y: number;
  visible: boolean;
}

export interface CameraGoal {
  /** Layers to frame (all when empty). */
  layers: readonly string[];
  /** Horizontal angle in radians (Babylon's alpha). Default: a three-quarter view. */
  alpha?: number;
  /** Vertical angle in radians (Babylon's beta). */
  beta?: number;
  /** Multiplies the distance that frames the layers. */
  zoom?: number;
}

const HIGHLIGHT_CAPACITY = 2048;
const DEFAULT_ALPHA = -Math.PI / 2 - 0.3;
const DEFAULT_BETA = Math.PI / 2 - 0.3;

export class NetworkView {
  readonly layout: NetworkLayout;
  private readonly engine: ThinEngine;
  private readonly scene: Scene;
  private readonly orbit: OrbitCamera;
  private readonly material: ShaderMaterial;
  private readonly cubes: CubeMesh;
  private readonly meshes: LayerMesh[];
  private readonly byName: Map<string, number>;
  private readonly highlightMesh: Mesh;
  private readonly highlightMatrices = new Float32Array(16 * HIGHLIGHT_CAPACITY);
  private readonly highlightColors = new Float32Array(4 * HIGHLIGHT_CAPACITY);
  private readonly field = new Int32Array(HIGHLIGHT_CAPACITY);
  private palette: Palette;
  private values: (Float32Array | null)[];
  private running = false;
  private frameListeners: ((labels: readonly ScreenLabel[]) => void)[] = [];
  /** The camera shows the whole network (so a resize re-fits it). */
  private overview = true;
  private beforeFrame: ((now: number) => void)[] = [];
  private readonly labels: ScreenLabel[];
  private readonly labelAnchors: Vector3[];
  private readonly projected = new Vector3();
  private readonly rayNear = new Vector3();
  private readonly rayFar = new Vector3();
  private flight: { from: Float64Array; to: Float64Array; start: number; duration: number } | null = null;
  private lastDrawCalls = 0;
  private disposed = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly model: ModelDescription,
    private readonly options: NetworkViewOptions,
  ) {
    checkRenderable(model); // before any WebGL context is taken
    this.layout = layoutNetwork(model.layers, {
      aspect:
        canvas.clientWidth && canvas.clientHeight ? canvas.clientWidth / canvas.clientHeight : undefined,
    });
    this.palette = PALETTES[options.theme];
    this.engine = new ThinEngine(canvas, true, {
      loseContextOnDispose: true,
      preserveDrawingBuffer: true,
      stencil: false,
      powerPreference: 'low-power',
    });
    // Engine counts draw calls; ThinEngine only feeds a counter that exists
    this.engine._drawCalls = new PerfCounter();
    this.engine.setHardwareScalingLevel(1 / Math.min(2, globalThis.devicePixelRatio || 1));
    this.scene = new Scene(this.engine);
    this.scene.skipPointerMovePicking = true;
    // the orbit camera listens to the canvas itself; the scene's own pointer and key handling would
    // only pick (nothing is pickable) on every pointer event
    this.scene.detachControl();
    this.scene.autoClear = true;
    this.setClearColor();
    this.orbit = this.createCamera();
    const layerCount = this.layout.layers.length;
    this.material = createCubeMaterial(this.scene, 'cubes', layerCount);
    this.cubes = new CubeMesh(this.layout.total, layerCount, this.scene, this.material);
    this.cubes.setGhost(this.palette.ghost);
    const { normalization, ink } = model.input;
    const toInk = (values: ArrayLike<number>, out: Float32Array) =>
      void inkOf(values, normalization, ink, out);
    this.meshes = this.layout.layers.map(
      (l) =>
        new LayerMesh(l, this.cubes.slice(l.count), this.palette, l.kind === 'input' ? toInk : undefined),
    );
    this.cubes.flush();
    this.byName = new Map(this.layout.layers.map((l, i) => [l.name, i]));
    this.values = this.layout.layers.map(() => null);
    this.highlightMesh = CreateBox('highlight', { size: 1 }, this.scene);
    this.highlightMesh.material = createCubeMaterial(this.scene, 'highlight', 1, 0.9);
    this.highlightMesh.isPickable = false;
    this.highlightMesh.alwaysSelectAsActiveMesh = true;
    this.highlightMesh.thinInstanceSetBuffer('matrix', this.highlightMatrices, 16, false);
    this.highlightMesh.thinInstanceSetBuffer('color', this.highlightColors, 4, false);
    this.highlightMesh.thinInstanceCount = 0;
    this.highlightMesh.isVisible = false;
    const { labels, anchors } = this.createLabels();
    this.labels = labels;
    this.labelAnchors = anchors;
    this.engine.onContextRestoredObservable.add(() => this.invalidate());
    this.scene.onAfterRenderObservable.add(this.afterRender);
    // the first frame draws the highlight too, one all-zero (so invisible) plate: its first draw with
    // instances costs 4–7 ms on SwiftShader, here rather than in the frame where the tour's first
    // sweep or the reader's first hover shows it
    this.highlightMesh.thinInstanceCount = 1;
    this.highlightMesh.isVisible = true;
    this.focus({ layers: [] }, 0); // the whole network, fitted to the canvas's aspect
    this.highlightMesh.isVisible = false;
    this.highlightMesh.thinInstanceCount = 0;
    const { meshes, cubes, orbit } = this;
    const lastDrawCalls = () => this.lastDrawCalls;
    const indexOf = (layer: string) => this.layerIndex(layer);
    registerProbe(this, {
      instanceCount: (layer) => meshes[indexOf(layer)].instanceCount,
      get totalInstances() {
        return cubes.instanceCount;
      },
      colorBuffer: (layer) => meshes[indexOf(layer)].colors,
      get drawCalls() {
        return lastDrawCalls();
      },
      get camera() {
        return { alpha: orbit.alpha, beta: orbit.beta, radius: orbit.radius, target: orbit.target.asArray() };
      },
    });
  }

  // ── data ──────────────────────────────────────────────────────────────────────────────────────

  /** Colours every layer from new activations (null: nothing drawn). Allocates nothing. */
  setActivations(acts: Activations | null): void {
    const layers = this.layout.layers;
    for (let i = 0; i < layers.length; i++) {
      const data = acts ? (acts.layers[i]?.data ?? null) : null;
      if (data && data.length !== layers[i].count)
        throw new Error(`layer ${layers[i].name}: ${data.length} activations for ${layers[i].count} cubes`);
      this.values[i] = data;
      this.meshes[i].setValues(data);
    }
    if (!this.running) this.renderOnce();
  }

  setTheme(theme: 'light' | 'dark'): void {
    this.palette = PALETTES[theme];
    this.drawnFieldOf.layer = -1; // the highlight's colour changes
    this.cubes.setGhost(this.palette.ghost);
    this.invalidate();
    this.setClearColor();
    this.meshes.forEach((m, i) => {
      m.setPalette(this.palette);
      m.setValues(this.values[i]);
    });
    if (!this.running) this.renderOnce();
  }

  // ── what the tour animates ────────────────────────────────────────────────────────────────────

  layerIndex(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`no layer named ${name}`);
    return i;
  }

  layerDescription(i: number): LayerDescription {
    return this.model.layers[i];
  }

  /** Reveals the first `count` cubes of a layer (all: `Infinity`). */
  reveal(layer: number, count: number): void {
    this.meshes[layer].reveal(count);
  }

  /** Reveals positions < `position` in every channel of a feature-map layer at once. */
  revealPositions(layer: number, position: number): void {
    this.meshes[layer].revealPositions(position);
  }

  /** Heights of a layer's cubes, 0–1 of their full value (the softmax bars rising). */
  setRise(layer: number, rise: number): void {
    this.meshes[layer].setRise(rise);
  }

  /**
   * Highlights cube `index` of `layer` and the cubes it reads in the layer before it (its
   * receptive field). `index < 0` highlights only the source layer's cubes in `sourceRange` (for
   * a dense fan-in). Pass `layer = -1` to clear.
   */
  highlightCube(layer: number, index: number): void {
    let n = 0;
    if (layer >= 0 && index >= 0) {
      const target = this.layout.layers[layer];
      n = this.pushHighlight(n, layer, index, 0.28);
      const desc = this.model.layers[layer];
      const from = desc.from !== undefined ? this.byName.get(desc.from) : undefined;
      if (from !== undefined) {
        const count = receptiveField(desc, target, this.layout.layers[from], index, this.field);
        const plates = Math.min(count, HIGHLIGHT_CAPACITY - n);
        if (this.fieldDrawn(from, plates)) n += plates;
        else {
          for (let k = 0; k < plates; k++) n = this.pushHighlight(n, from, this.field[k], 0.12);
          this.keepField(from, plates);
        }
      }
    }
    this.showHighlight(n);
  }

  // The receptive field drawn last (plates 1…count): a dense layer's fan-in has the same 2,048 inputs
  // for every unit, so while the source layer has not changed (its `version`) only the target's plate
  // is rewritten.
  private readonly drawnField = new Int32Array(HIGHLIGHT_CAPACITY);
  private drawnFieldOf = { layer: -1, count: 0, version: -1 };

  private fieldDrawn(from: number, count: number): boolean {
    const d = this.drawnFieldOf;
    if (d.layer !== from || d.count !== count || d.version !== this.meshes[from].version) return false;
    for (let k = 0; k < count; k++) if (this.drawnField[k] !== this.field[k]) return false;
    return true;
  }

  private keepField(from: number, count: number) {
    this.drawnField.set(this.field.subarray(0, count));
    this.drawnFieldOf = { layer: from, count, version: this.meshes[from].version };
  }

  /**
   * Highlights cube `index` of `layer` and exactly the cubes `indices` of layer `from` it was
   * computed from (an explanation's inputs: what `explain()` lists, the renderer shows).
   */
  highlightInputs(layer: string, index: number, from: string | null, indices: ArrayLike<number>): void {
    this.drawnFieldOf.layer = -1; // its plates are about to be rewritten
    let n = this.pushHighlight(0, this.layerIndex(layer), index, 0.28);
    if (from) {
      const f = this.layerIndex(from);
      for (let k = 0; k < indices.length && n < HIGHLIGHT_CAPACITY; k++)
        n = this.pushHighlight(n, f, indices[k], 0.12);
    }
    this.showHighlight(n);
    if (!this.running) this.renderOnce();
  }

  /** Draws another map over a layer's cubes (a saliency map over the input), or its values again with null. */
  setOverlay(layer: string, map: ArrayLike<number> | null): void {
    this.meshes[this.layerIndex(layer)].setOverlay(map);
    if (!this.running) this.renderOnce();
  }

  /** The layer's values as drawn now (null before a drawing). */
  valuesOf(layer: string): Float32Array | null {
    return this.values[this.layerIndex(layer)];
  }

  /** Highlights a whole layer (the inputs of a dense layer fanning in), or none with −1. */
  highlightLayer(layer: number): void {
    this.drawnFieldOf.layer = -1; // its plates are about to be rewritten
    let n = 0;
    if (layer >= 0)
      for (let i = 0; i < this.layout.layers[layer].count && n < HIGHLIGHT_CAPACITY; i++)
        n = this.pushHighlight(n, layer, i, 0.08);
    this.showHighlight(n);
  }

  /** Draws the first `n` highlight plates (none: hidden, as an empty mesh would still cost a draw call). */
  private showHighlight(n: number) {
    this.highlightMesh.thinInstanceCount = n;
    this.highlightMesh.isVisible = n > 0;
    // only the plates written since the last upload (a fan-in keeps its inputs' plates: see highlightCube)
    const from = this.plateChanged[0];
    const to = Math.min(n, this.plateChanged[1]);
    if (from < to) {
      this.highlightMesh.thinInstancePartialBufferUpdate('matrix', to - from, from);
      this.highlightMesh.thinInstancePartialBufferUpdate('color', to - from, from);
    }
    this.plateChanged[0] = HIGHLIGHT_CAPACITY;
    this.plateChanged[1] = 0;
    this.invalidate();
  }

  /** The plates written since the last upload: [from, to). */
  private readonly plateChanged = Int32Array.of(HIGHLIGHT_CAPACITY, 0);

  /** Sets plate `n` over cube `index` of `layer`; returns n + 1. */
  private pushHighlight(n: number, layer: number, index: number, grow: number): number {
    const l = this.layout.layers[layer];
    const m = 16 * n;
    const s = l.cube + grow * 2;
    const d = this.meshes[layer].depthOf(index);
    const hm = this.highlightMatrices;
    hm.fill(0, m, m + 16);
    hm[m] = s;
    hm[m + 5] = s;
    hm[m + 10] = 0.45; // a thin plate: 0.45 × the shader's minimum depth
    hm[m + 12] = l.xy[2 * index];
    hm[m + 13] = l.xy[2 * index + 1];
    hm[m + 14] = d + 0.02;
    hm[m + 15] = 1;
    const c = this.palette.highlight;
    this.highlightColors[4 * n] = c[0];
    this.highlightColors[4 * n + 1] = c[1];
    this.highlightColors[4 * n + 2] = c[2];
    this.highlightColors[4 * n + 3] = 0; // strength 0: no extrusion
    this.plateChanged[0] = Math.min(this.plateChanged[0], n);
    this.plateChanged[1] = Math.max(this.plateChanged[1], n + 1);
    return n + 1;
  }

  /** Index of the largest value of the last layer (the prediction), or −1 with nothing drawn. */
  winner(): number {
    const v = this.values[this.values.length - 1];
    return v ? argmax(v) : -1;
  }

  /** Flies the camera to frame some layers (instantly with reduced motion or `ms = 0`). */
  focus(goal: CameraGoal, ms = 1200): void {
    this.overview = goal.layers.length === 0 && goal.alpha === undefined && goal.zoom === undefined;
    const layers = goal.layers.length
      ? goal.layers.map((n) => this.layout.layers[this.layerIndex(n)])
      : this.layout.layers;
    const minX = Math.min(...layers.map((l) => l.minX));
    const maxX = Math.max(...layers.map((l) => l.maxX));
    const minY = Math.min(...layers.map((l) => l.minY));
    const maxY = Math.max(...layers.map((l) => l.maxY));
    const aspect = this.engine.getAspectRatio(this.orbit.camera) || 1.6;
    const alpha = goal.alpha ?? DEFAULT_ALPHA;
    const beta = goal.beta ?? DEFAULT_BETA;
    const target = new Vector3((minX + maxX) / 2, (minY + maxY) / 2, 0);
    const fit = this.fitRadius({ minX, maxX, minY, maxY }, target, alpha, beta, aspect);
    const to = Float64Array.of(target.x, target.y, 0, alpha, beta, Math.max(6, fit * (goal.zoom ?? 1)));
    const c = this.orbit;
    const from = Float64Array.of(c.target.x, c.target.y, c.target.z, c.alpha, c.beta, c.radius);
    if (this.options.reducedMotion || ms <= 0) {
      this.applyCamera(to);
      this.flight = null;
      if (!this.running) this.renderOnce();
      return;
    }
    this.flight = { from, to, start: performance.now(), duration: ms };
  }

  /** Adds work to do before each frame (the tour's animation); returns a function that removes it. */
  onBeforeFrame(fn: (now: number) => void): () => void {
    this.beforeFrame.push(fn);
    return () => (this.beforeFrame = this.beforeFrame.filter((f) => f !== fn));
  }

  // ── interaction ───────────────────────────────────────────────────────────────────────────────

  /** The cube under a point of the canvas (CSS pixels from its top-left), with its value. */
  pick(offsetX: number, offsetY: number): PickInfo | null {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (!w || !h) return null;
    const view = this.orbit.camera.getViewMatrix();
    const proj = this.orbit.camera.getProjectionMatrix();
    Vector3.UnprojectFloatsToRef(
      offsetX,
      offsetY,
      0,
      w,
      h,
      Matrix.IdentityReadOnly,
      view,
      proj,
      this.rayNear,
    );
    Vector3.UnprojectFloatsToRef(offsetX, offsetY, 1, w, h, Matrix.IdentityReadOnly, view, proj, this.rayFar);
    const dz = this.rayFar.z - this.rayNear.z;
    if (Math.abs(dz) < 1e-9) return null;
    // intersect with the plane of a flat cube's top face, then once more with the top face of the
    // cube found there (tall cubes stand out of the plane, towards the camera)
    const at = (z: number) => {
      const t = (z - this.rayNear.z) / dz;
      if (t < 0) return null;
      return cubeAt(
        this.layout,
        this.rayNear.x + (this.rayFar.x - this.rayNear.x) * t,
        this.rayNear.y + (this.rayFar.y - this.rayNear.y) * t,
      );
    };
    const first = at(-0.18);
    if (!first) return null;
    const hit = at(this.meshes[first.layer.index].depthOf(first.index)) ?? first;
    const { channel, row, col } = addressOf(hit.layer, hit.index);
    const values = this.values[hit.layer.index];
    return {
      layer: hit.layer.name,
      kind: hit.layer.kind,
      channel,
      row,
      col,
      index: hit.index,
      value: values ? values[hit.index] : 0,
    };
  }

  /** Highlights a picked cube and its receptive field (or clears with null). */
  highlight(pick: PickInfo | null): void {
    if (!pick) this.highlightCube(-1, -1);
    else this.highlightCube(this.layerIndex(pick.layer), pick.index);
    if (!this.running) this.renderOnce();
  }

  /** Called after every frame with the screen positions of the layer and class labels. */
  onFrame(fn: (labels: readonly ScreenLabel[]) => void): void {
    this.frameListeners.push(fn);
  }

  // ── life cycle ────────────────────────────────────────────────────────────────────────────────

  /** Starts the render loop (the element stops it while off-screen). */
  start(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.invalidate();
    this.engine.runRenderLoop(this.loopFrame);
  }

  stop(): void {
    this.running = false;
    this.engine.stopRenderLoop(this.loopFrame);
  }

  resize(): void {
    this.engine.resize();
    this.invalidate();
    if (this.overview && !this.flight) this.focus({ layers: [] }, 0);
    if (!this.running) this.renderOnce();
  }

  /** Renders one frame now (also used when the loop is stopped). */
  renderOnce(): void {
    if (!this.disposed) this.renderFrame();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    this.orbit.dispose();
    this.scene.dispose();
    this.engine.dispose();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private createCamera(): OrbitCamera {
    const span = this.layout.maxX - this.layout.minX;
    const orbit = new OrbitCamera(
      this.scene,
      this.canvas,
      {
        alpha: DEFAULT_ALPHA,
        beta: DEFAULT_BETA,
        radius: span * 0.6,
        target: new Vector3((this.layout.minX + this.layout.maxX) / 2, 0, 0),
      },
      { minRadius: 6, maxRadius: span * 4, minBeta: 0.25, maxBeta: Math.PI - 0.25 },
      () => {
        this.overview = false; // the reader moved the camera: a resize keeps their view
        this.flight = null;
        if (!this.running) this.renderOnce();
      },
    );
    orbit.camera.fov = 0.7;
    orbit.camera.minZ = 0.5;
    orbit.camera.maxZ = span * 6;
    return orbit;
  }

  private readonly fitView = new Matrix();
  private readonly fitProjection = new Matrix();
  private readonly fitTransform = new Matrix();
  private readonly fitPoint = new Vector3();

  /**
   * The smallest camera distance at which a box of the plane (with the cubes' relief) is seen whole
   * from these angles, for this aspect ratio: every corner projected inside the view, with room for
   * the labels above the layers. Found by bisection on the real projection, so it holds for any
   * aspect (a phone's portrait stage too) and any angle.
   */
  private fitRadius(
    box: { minX: number; maxX: number; minY: number; maxY: number },
    target: Vector3,
    alpha: number,
    beta: number,
    aspect: number,
  ): number {
    const eye = new Vector3();
    const corners: Vector3[] = [];
    for (const x of [box.minX, box.maxX])
      for (const y of [box.minY, box.maxY + 3]) for (const z of [-6, 0.5]) corners.push(new Vector3(x, y, z));
    const fits = (r: number) => {
      eye.set(
        target.x + r * Math.cos(alpha) * Math.sin(beta),
        target.y + r * Math.cos(beta),
        target.z + r * Math.sin(alpha) * Math.sin(beta),
      );
      Matrix.LookAtLHToRef(eye, target, Vector3.UpReadOnly, this.fitView);
      Matrix.PerspectiveFovLHToRef(this.orbit.camera.fov, aspect, 0.1, r * 10, this.fitProjection);
      this.fitView.multiplyToRef(this.fitProjection, this.fitTransform);
      for (const c of corners) {
        Vector3.TransformCoordinatesToRef(c, this.fitTransform, this.fitPoint);
        if (Math.abs(this.fitPoint.x) > 0.96 || Math.abs(this.fitPoint.y) > 0.94 || this.fitPoint.z <= 0)
          return false;
      }
      return true;
    };
    let lo = 1;
    let hi = 16 * Math.max(box.maxX - box.minX, box.maxY - box.minY, 10);
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (fits(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  private applyCamera(v: Float64Array) {
    this.orbit.set(v[3], v[4], v[5], v[0], v[1], v[2]);
  }

  private readonly flightState = new Float64Array(6);

  /** Something changed that no buffer upload shows (highlight, theme, size): draw the next frame. */
  private invalid = true;
  private invalidate() {
    this.invalid = true;
  }
  /** The camera as last drawn: alpha, beta, radius, target x, y, z. */
  private readonly drawnCamera = new Float64Array(6);

  /** True when the camera moved since the last drawn frame. */
  private cameraMoved(): boolean {
    const c = this.orbit;
    const d = this.drawnCamera;
    return (
      Math.abs(c.alpha - d[0]) > 1e-6 ||
      Math.abs(c.beta - d[1]) > 1e-6 ||
      Math.abs(c.radius - d[2]) > 1e-6 ||
      Math.abs(c.target.x - d[3]) > 1e-6 ||
      Math.abs(c.target.y - d[4]) > 1e-6 ||
      Math.abs(c.target.z - d[5]) > 1e-6
    );
  }

  /**
   * Advances flights and the tour and uploads what changed; true when anything did. Runs before
   * every frame of the loop, which draws only when something changed: a still network costs no GPU
   * time (on a software GPU that is a whole core kept free for the page).
   */
  private tick = (): boolean => {
    const now = performance.now();
    this.orbit.update(now); // the reader's drag glide and held keys (a flight below overrides them)
    const f = this.flight;
    let changed = f !== null;
    if (f) {
      const t = Math.min(1, (now - f.start) / f.duration);
      const e = t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
      for (let i = 0; i < 6; i++) this.flightState[i] = f.from[i] + (f.to[i] - f.from[i]) * e;
      this.applyCamera(this.flightState);
      if (t >= 1) this.flight = null;
    }
    for (let i = 0; i < this.beforeFrame.length; i++) this.beforeFrame[i](now);
    if (this.cubes.flush()) changed = true; // one upload of whatever the layers changed this frame
    return changed;
  };

  /** One frame of the render loop: drawn only when something changed. */
  private loopFrame = () => {
    const changed = this.tick();
    if (changed || this.cameraMoved() || this.invalid) this.draw();
  };

  /** Draws now, whatever changed (also while the loop is stopped). */
  private renderFrame = () => {
    this.tick();
    this.draw();
  };

  private draw() {
    this.invalid = false;
    this.engine._drawCalls?.fetchNewFrame?.();
    this.scene.render();
    const c = this.orbit;
    const d = this.drawnCamera;
    d[0] = c.alpha;
    d[1] = c.beta;
    d[2] = c.radius;
    d[3] = c.target.x;
    d[4] = c.target.y;
    d[5] = c.target.z;
  }

  private afterRender = () => {
    this.lastDrawCalls = this.engine._drawCalls?.current ?? 0;
    if (!this.frameListeners.length) return;
    const w = this.engine.getRenderWidth();
    const h = this.engine.getRenderHeight();
    const scaleX = this.canvas.clientWidth / (w || 1);
    const scaleY = this.canvas.clientHeight / (h || 1);
    const transform = this.scene.getTransformMatrix();
    const viewport = this.orbit.camera.viewport.toGlobal(w, h);
    for (let i = 0; i < this.labels.length; i++) {
      Vector3.ProjectToRef(
        this.labelAnchors[i],
        Matrix.IdentityReadOnly,
        transform,
        viewport,
        this.projected,
      );
      const label = this.labels[i];
      label.x = this.projected.x * scaleX;
      label.y = this.projected.y * scaleY;
      label.visible = this.projected.z > 0 && this.projected.z < 1;
    }
    for (const fn of this.frameListeners) fn(this.labels);
  };

  private createLabels() {
    const labels: ScreenLabel[] = [];
    const anchors: Vector3[] = [];
    const classes = this.model.classes;
    const last = this.layout.layers[this.layout.layers.length - 1];
    for (const l of this.layout.layers) {
      const shape = l.shape.join('×');
      labels.push({ text: `${l.name} ${shape}`, x: 0, y: 0, visible: false });
      anchors.push(new Vector3((l.minX + l.maxX) / 2, l.maxY + 1.5, 0));
    }
    if (last.labelled && classes.length === last.count) {
      for (let i = 0; i < last.count; i++) {
        labels.push({ text: classes[i], x: 0, y: 0, visible: false });
        anchors.push(new Vector3(last.maxX + 1.8, last.xy[2 * i + 1] - 0.2, 0));
      }
    }
    return { labels, anchors };
  }

  private setClearColor() {
    const b = this.palette.background;
    this.scene.clearColor = new Color4(b[0], b[1], b[2], 1);
  }
}
