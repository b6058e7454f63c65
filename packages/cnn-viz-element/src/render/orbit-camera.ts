/**
 * The 3D view's camera and the reader's hold on it: a camera orbiting a target point at angles
 * `alpha` (around the vertical) and `beta` (from the vertical) and distance `radius` — the same
 * parameters, positions and view as Babylon's ArcRotateCamera — driven by:
 *
 * - a drag (mouse, pen, one finger) turns it, with a little inertia;
 * - a right drag, or a drag with Ctrl/⌘/Shift, pans; two fingers pan and pinch to zoom;
 * - Ctrl/⌘ + wheel zooms (a trackpad's pinch arrives as one); the plain wheel scrolls the host page,
 *   as embedded maps do;
 * - arrow keys held move it around the network (with Ctrl: pan), `+` and `-` zoom.
 *
 * A Babylon `TargetCamera` locked on the target draws it. ArcRotateCamera would bring its own input
 * classes (keyboard, wheel, pointers), three camera behaviours and Babylon's animation system: about
 * 20 KB gzip of the page's JavaScript for what these few handlers do.
 */
import { TargetCamera } from '@babylonjs/core/Cameras/targetCamera.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Scene } from '@babylonjs/core/scene.js';

export interface OrbitLimits {
  minRadius: number;
  maxRadius: number;
  minBeta: number;
  maxBeta: number;
}

/** Pixels of drag per radian of turn, before inertia (ArcRotateCamera's angular sensibility). */
const ANGULAR_SENSIBILITY = 900;
/** Pixels of drag per unit of pan, before inertia. */
const PANNING_SENSIBILITY = 60;
/** Velocity kept per frame at 60 frames a second: a flick glides on and slows down. */
const INERTIA = 0.9;
/** Turn added per 60 Hz frame while an arrow key is held (radians). */
const KEY_TURN = 0.004;
/** Pan added per 60 Hz frame while Ctrl and an arrow key are held (world units). */
const KEY_PAN = 0.06;
/** Radius factor per `+` press (`-` divides). */
const KEY_ZOOM = 0.85;
const FRAME_MS = 1000 / 60;
/** Below this velocity (radians or units per frame) a glide has ended. */
const EPSILON = 1e-4;

interface Pointer {
  x: number;
  y: number;
  pan: boolean;
}

export class OrbitCamera {
  readonly camera: TargetCamera;
  alpha: number;
  beta: number;
  radius: number;
  readonly target: Vector3;
  /** Turn and pan velocities (per 60 Hz frame) the reader's input left, decaying with INERTIA. */
  private readonly velocity = { alpha: 0, beta: 0, panX: 0, panY: 0 };
  private readonly pointers = new Map<number, Pointer>();
  /** Distance and midpoint of the last two-finger position. */
  private pinch: { distance: number; x: number; y: number } | null = null;
  private readonly held = new Set<string>();
  private heldCtrl = false;
  private lastUpdate = 0;
  private readonly position = new Vector3();
  private readonly right = new Vector3();
  private readonly up = new Vector3();

  constructor(
    scene: Scene,
    private readonly canvas: HTMLCanvasElement,
    start: { alpha: number; beta: number; radius: number; target: Vector3 },
    readonly limits: OrbitLimits,
    /** Called when the reader moves the camera. */
    private readonly onInput: () => void,
  ) {
    this.alpha = start.alpha;
    this.beta = start.beta;
    this.radius = start.radius;
    this.target = start.target.clone();
    this.camera = new TargetCamera('camera', Vector3.Zero(), scene);
    this.camera.lockedTarget = this.target;
    this.place();
    canvas.addEventListener('pointerdown', this.onPointerDown);
    canvas.addEventListener('pointermove', this.onPointerMove);
    canvas.addEventListener('pointerup', this.onPointerUp);
    canvas.addEventListener('pointercancel', this.onPointerUp);
    canvas.addEventListener('contextmenu', this.onContextMenu);
    canvas.addEventListener('wheel', this.onWheel, { passive: false });
    canvas.addEventListener('keydown', this.onKeyDown);
    canvas.addEventListener('keyup', this.onKeyUp);
    canvas.addEventListener('blur', this.onBlur);
  }

  /** Sets the camera at once (a flight's frame, a focus without motion); stops any glide. */
  set(alpha: number, beta: number, radius: number, x: number, y: number, z: number): void {
    this.alpha = alpha;
    this.beta = beta;
    this.radius = radius;
    this.target.set(x, y, z);
    this.stop();
    this.place();
  }

  /** Multiplies the distance, within the limits. */
  zoom(factor: number): void {
    this.radius = Math.max(this.limits.minRadius, Math.min(this.limits.maxRadius, this.radius * factor));
    this.place();
  }

  /** Applies held keys and the glide left by a drag; call once before each frame. */
  update(now = performance.now()): void {
    const dt = this.lastUpdate ? Math.min(100, Math.max(0, now - this.lastUpdate)) : FRAME_MS;
    this.lastUpdate = now;
    const frames = dt / FRAME_MS;
    const v = this.velocity;
    if (this.held.size) {
      const dx = (this.held.has('ArrowRight') ? 1 : 0) - (this.held.has('ArrowLeft') ? 1 : 0);
      const dy = (this.held.has('ArrowDown') ? 1 : 0) - (this.held.has('ArrowUp') ? 1 : 0);
      const norm = Math.hypot(dx, dy) || 1;
      if (this.heldCtrl) {
        v.panX += (KEY_PAN * frames * dx) / norm;
        v.panY -= (KEY_PAN * frames * dy) / norm;
      } else {
        // as ArcRotateCamera's keys: the camera moves the way the arrow points (left: around to the left)
        v.alpha += (KEY_TURN * frames * dx) / norm;
        v.beta += (KEY_TURN * frames * dy) / norm;
      }
    }
    if (!v.alpha && !v.beta && !v.panX && !v.panY) return;
    // ∑ over the glide of v·INERTIA^k, whatever the frame rate
    const decay = Math.pow(INERTIA, frames);
    const share = (1 - decay) / (1 - INERTIA);
    this.alpha += v.alpha * share;
    this.beta += v.beta * share;
    this.pan(v.panX * share, v.panY * share);
    v.alpha *= decay;
    v.beta *= decay;
    v.panX *= decay;
    v.panY *= decay;
    if (Math.abs(v.alpha) < EPSILON) v.alpha = 0;
    if (Math.abs(v.beta) < EPSILON) v.beta = 0;
    if (Math.abs(v.panX) < EPSILON) v.panX = 0;
    if (Math.abs(v.panY) < EPSILON) v.panY = 0;
    this.place();
  }

  dispose(): void {
    const c = this.canvas;
    c.removeEventListener('pointerdown', this.onPointerDown);
    c.removeEventListener('pointermove', this.onPointerMove);
    c.removeEventListener('pointerup', this.onPointerUp);
    c.removeEventListener('pointercancel', this.onPointerUp);
    c.removeEventListener('contextmenu', this.onContextMenu);
    c.removeEventListener('wheel', this.onWheel);
    c.removeEventListener('keydown', this.onKeyDown);
    c.removeEventListener('keyup', this.onKeyUp);
    c.removeEventListener('blur', this.onBlur);
  }

  private stop() {
    this.velocity.alpha = this.velocity.beta = this.velocity.panX = this.velocity.panY = 0;
  }

  /** Clamps the angles and distance and puts Babylon's camera where they say. */
  private place() {
    const l = this.limits;
    this.beta = Math.max(l.minBeta, Math.min(l.maxBeta, this.beta));
    this.radius = Math.max(l.minRadius, Math.min(l.maxRadius, this.radius));
    const sinb = Math.sin(this.beta);
    this.position.set(
      this.target.x + this.radius * Math.cos(this.alpha) * sinb,
      this.target.y + this.radius * Math.cos(this.beta),
      this.target.z + this.radius * Math.sin(this.alpha) * sinb,
    );
    this.camera.position.copyFrom(this.position);
  }

  /** Moves the target across the screen: `dx` to the right, `dy` up, in world units. */
  private pan(dx: number, dy: number) {
    if (!dx && !dy) return;
    // the screen's right and up directions at these angles (left-handed, y up)
    const ca = Math.cos(this.alpha);
    const sa = Math.sin(this.alpha);
    const cb = Math.cos(this.beta);
    const sb = Math.sin(this.beta);
    this.right.set(-sa, 0, ca);
    this.up.set(-ca * cb, sb, -sa * cb);
    this.target.x += this.right.x * dx + this.up.x * dy;
    this.target.y += this.right.y * dx + this.up.y * dy;
    this.target.z += this.right.z * dx + this.up.z * dy;
  }

  private readonly onPointerDown = (e: PointerEvent) => {
    if (e.pointerType === 'mouse' && e.button !== 0 && e.button !== 2) return;
    const pan = e.button === 2 || e.ctrlKey || e.metaKey || e.shiftKey;
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, pan });
    this.stop();
    this.pinch = null;
    try {
      this.canvas.setPointerCapture(e.pointerId); // the drag goes on outside the canvas
    } catch {
      // a synthetic or already released pointer: nothing to capture
    }
  };

  private readonly onPointerMove = (e: PointerEvent) => {
    const p = this.pointers.get(e.pointerId);
    if (!p) return;
    const dx = e.clientX - p.x;
    const dy = e.clientY - p.y;
    p.x = e.clientX;
    p.y = e.clientY;
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const distance = Math.hypot(a.x - b.x, a.y - b.y);
      const x = (a.x + b.x) / 2;
      const y = (a.y + b.y) / 2;
      if (this.pinch && distance > 0 && this.pinch.distance > 0) {
        // fingers apart: closer, as a photo grows under them
        this.zoom(this.pinch.distance / distance);
        this.velocity.panX -= (x - this.pinch.x) / PANNING_SENSIBILITY;
        this.velocity.panY += (y - this.pinch.y) / PANNING_SENSIBILITY;
      }
      this.pinch = { distance, x, y };
    } else if (this.pointers.size === 1) {
      if (!dx && !dy) return;
      if (p.pan) {
        this.velocity.panX -= dx / PANNING_SENSIBILITY;
        this.velocity.panY += dy / PANNING_SENSIBILITY;
      } else {
        this.velocity.alpha -= dx / ANGULAR_SENSIBILITY;
        this.velocity.beta -= dy / ANGULAR_SENSIBILITY;
      }
    } else return;
    this.onInput();
  };

  private readonly onPointerUp = (e: PointerEvent) => {
    this.pointers.delete(e.pointerId);
    this.pinch = null;
  };

  private readonly onContextMenu = (e: Event) => e.preventDefault(); // a right drag pans

  private readonly onWheel = (e: WheelEvent) => {
    if (!e.ctrlKey && !e.metaKey) return; // the page scrolls as usual
    e.preventDefault();
    const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    this.zoom(Math.exp(Math.max(-1, Math.min(1, (e.deltaY * lines) / 300))));
    this.onInput();
  };

  private readonly onKeyDown = (e: KeyboardEvent) => {
    if (e.key === '+' || e.key === '=') this.zoom(KEY_ZOOM);
    else if (e.key === '-' || e.key === '_') this.zoom(1 / KEY_ZOOM);
    else if (e.key.startsWith('Arrow') && !e.metaKey && !e.altKey) {
      e.preventDefault(); // not the page's scroll
      this.held.add(e.key);
      this.heldCtrl = e.ctrlKey;
    } else return;
    this.onInput();
  };

  private readonly onKeyUp = (e: KeyboardEvent) => {
    this.held.delete(e.key);
    this.heldCtrl = e.ctrlKey;
  };

  private readonly onBlur = () => {
    this.held.clear();
    this.pointers.clear();
    this.pinch = null;
  };
}
