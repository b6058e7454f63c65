// Bundled by render.bench.mjs and run in Chromium: the renderer's frame cost against two baselines.
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { Scene } from '@babylonjs/core/scene.js';
import type { Activations } from '../src/inference/activations.js';
import type { ModelDescription } from '../src/model/description.js';
import { layoutNetwork } from '../src/render/layout.js';
import { NetworkView } from '../src/render/network-view.js';
import { probe } from '../src/render/view-probe.js';
import { createCubeMaterial } from '../src/render/shader.js';
import { buildTour } from '../src/tour/steps.js';
import { TourPlayer } from '../src/tour/tour-player.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function synthetic(model: ModelDescription, phase: number): Activations {
  const layers = model.layers.map((l, li) => {
    const data = new Float32Array(size(l.shape));
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + li + phase);
    return { name: l.name, kind: l.kind, shape: l.shape, data };
  });
  return { layers, probabilities: layers[layers.length - 1].data, prediction: 0 };
}

function canvas(): HTMLCanvasElement {
  document.querySelectorAll('canvas').forEach((c) => c.remove());
  const c = document.createElement('canvas');
  c.style.width = '480px';
  c.style.height = '270px';
  document.body.appendChild(c);
  return c;
}

const heap = () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
const gc = () => (globalThis as unknown as { gc?: () => void }).gc?.();

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

/**
 * Runs `frame` once per animation frame (so the software GPU keeps up and does not stall the page's
 * JavaScript) and times only the JavaScript of each call. Returns ms per frame and heap growth per frame
 * (which includes the pacing loop's own promise per frame: compare with the "idle" row).
 */
async function measure(frame: (i: number) => void, frames: number) {
  for (let i = 0; i < 10; i++) {
    await nextFrame();
    frame(i);
  }
  gc();
  const h0 = heap();
  let total = 0;
  for (let i = 0; i < frames; i++) {
    await nextFrame();
    const t0 = performance.now();
    frame(i);
    total += performance.now() - t0;
  }
  const bytes = (heap() - h0) / frames;
  return { ms: total / frames, bytes };
}

/**
 * A network of about 100k cubes with `maps` = 32 (issue 12.4): a 3×32×32 input, 32 maps of 32×32
 * after the first convolution (32,768 cubes, and as many after its ReLU), then pooling, a second
 * convolution, a dense layer and the ten outputs; about 200k with 64 maps, 400k with 128. Same
 * description format as cnn.json; the view lays it out from the layer list alone.
 */
function bigModel(base: ModelDescription, maps: number): ModelDescription {
  const conv = { kind: 'conv' as const, kernel: 3, stride: 1, padding: 1 };
  const pool = { kind: 'maxpool' as const, kernel: 2, stride: 2 };
  return {
    ...base,
    name: `big (benchmark, ${maps} maps)`,
    input: { ...base.input, shape: [3, 32, 32] },
    layers: [
      { name: 'input', kind: 'input', shape: [3, 32, 32] },
      { name: 'conv1', ...conv, shape: [maps, 32, 32], from: 'input' },
      { name: 'relu1', kind: 'relu', shape: [maps, 32, 32], from: 'conv1' },
      { name: 'pool1', ...pool, shape: [maps, 16, 16], from: 'relu1' },
      { name: 'conv2', ...conv, shape: [maps, 16, 16], from: 'pool1' },
      { name: 'relu2', kind: 'relu', shape: [maps, 16, 16], from: 'conv2' },
      { name: 'pool2', ...pool, shape: [maps, 8, 8], from: 'relu2' },
      { name: 'flatten', kind: 'flatten', shape: [maps * 64], from: 'pool2' },
      { name: 'fc1', kind: 'dense', shape: [128], from: 'flatten' },
      { name: 'fc2', kind: 'dense', shape: [10], from: 'fc1' },
      { name: 'probabilities', kind: 'softmax', shape: [10], from: 'fc2' },
    ],
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
};

/**
 * The whole tour on the ~100k-cube network, played by the real TourPlayer on the real NetworkView:
 * JavaScript per frame (the tour's update, the upload of what changed and scene.render()), median,
 * p95 and max, per step and in all; the most draw calls any frame made; and what new activations cost.
 */
async function runBig(speed: number, maps = 32, seconds = 420) {
  const model = bigModel(await (await fetch('/model/cnn.json')).json(), maps);
  const acts = [synthetic(model, 0), synthetic(model, 1)];
  const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: false });
  view.setActivations(acts[0]);
  const steps = buildTour(model);
  const player = new TourPlayer(view, steps);
  // runs after the tour's own update in each frame: splits a frame into the tour's update and the
  // rest (the upload of what changed and scene.render)
  let updated = 0;
  const unmark = view.onBeforeFrame(() => (updated = performance.now()));
  for (let i = 0; i < 5; i++) {
    await nextFrame();
    view.renderOnce();
  }
  const recolour: number[] = [];
  for (let i = 0; i < 6; i++) {
    await nextFrame();
    const t0 = performance.now();
    view.setActivations(acts[i & 1]); // recolours every cube and draws the frame
    recolour.push(performance.now() - t0);
  }
  player.setSpeed(speed);
  player.play(0);
  const times: number[] = [];
  const intervals: number[] = [];
  let last = 0;
  const byStep: number[][] = steps.map(() => []);
  let drawCalls = 0;
  const slowest: { step: string; frame: number; ms: number; update: number; draw: number }[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (player.state.playing && performance.now() < deadline) {
    const frameTime = await nextFrame();
    if (last) intervals.push(frameTime - last);
    last = frameTime;
    const step = player.state.index;
    const t0 = performance.now();
    view.renderOnce();
    const t1 = performance.now();
    const ms = t1 - t0;
    times.push(ms);
    slowest.push({
      step: steps[step].id,
      frame: byStep[step].length + 1,
      ms,
      update: updated - t0,
      draw: t1 - updated,
    });
    byStep[step].push(ms);
    drawCalls = Math.max(drawCalls, probe(view).drawCalls);
  }
  const finished = !player.state.playing;
  unmark();
  player.dispose();
  view.dispose();
  return {
    cubes: view.layout.total,
    frames: times.length,
    finished,
    median: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    max: Math.max(...times),
    drawCalls,
    /** Time between frames (the software GPU's drawing shows here, not in the JS time). */
    intervalMedian: quantile(intervals, 0.5),
    recolourMedian: quantile(recolour, 0.5),
    /** The five slowest frames: which step, its how-manieth frame, and where the time went. */
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 5),
    steps: steps.map((s, i) => ({
      id: s.id,
      effect: s.effect,
      frames: byStep[i].length,
      median: byStep[i].length ? quantile(byStep[i], 0.5) : 0,
      p95: byStep[i].length ? quantile(byStep[i], 0.95) : 0,
    })),
  };
}

async function run(mode: string, frames: number) {
  const model: ModelDescription = await (await fetch('/model/cnn.json')).json();
  const acts = [synthetic(model, 0), synthetic(model, 1)];
  if (
    mode === 'in-place' ||
    mode === 'tour' ||
    mode === 'idle' ||
    mode === 'explain' ||
    mode === 'explain-hover'
  ) {
    const view = new NetworkView(canvas(), model, { theme: 'light', reducedMotion: false });
    view.setActivations(acts[0]);
    view.focus({ layers: [] }, 0);
    let player: TourPlayer | undefined;
    if (mode === 'tour') {
      player = new TourPlayer(view, buildTour(model));
      player.play(1); // the first convolution's sweep: reveal + receptive-field highlight every frame
      player.setSpeed(0.05);
    }
    // an explanation open: a conv2 cube and the 150 inputs it reads (6 maps × 5×5) highlighted;
    // with `explain-hover` the pointer moves to another cube every frame
    const conv2 = model.layers.find((l) => l.name === 'conv2')!;
    const inputsOf = (index: number) => {
      const plane = conv2.shape[1] * conv2.shape[2];
      const row = Math.floor((index % plane) / conv2.shape[2]);
      const col = index % conv2.shape[2];
      const out: number[] = [];
      for (let c = 0; c < 6; c++)
        for (let ky = 0; ky < 5; ky++)
          for (let kx = 0; kx < 5; kx++) out.push(c * 196 + (row + ky) * 14 + col + kx);
      return out;
    };
    if (mode === 'explain') view.highlightInputs('conv2', 345, 'pool1', inputsOf(345));
    // (setActivations renders the frame itself while the view's own loop is stopped, as it is here)
    const r = await measure((i) => {
      if (mode === 'in-place') view.setActivations(acts[i & 1]);
      else if (mode === 'explain-hover') {
        const index = (i * 37) % 1600;
        view.highlightInputs('conv2', index, 'pool1', inputsOf(index));
      } else view.renderOnce();
    }, frames);
    const drawCalls = probe(view).drawCalls;
    player?.dispose();
    view.dispose();
    return { ...r, drawCalls };
  }
  // baselines on a bare scene with the same shader and layout
  const c = canvas();
  const engine = new Engine(c, true, { preserveDrawingBuffer: true, loseContextOnDispose: true });
  const scene = new Scene(engine);
  const layout = layoutNetwork(model.layers);
  const cam = new ArcRotateCamera('c', -2, 1.2, 500, new Vector3(layout.maxX / 2, 0, 0), scene);
  cam.maxZ = 5000;
  const material = createCubeMaterial(scene, 'm', layout.layers.length);
  let frame: (i: number) => void;
  if (mode === 'realloc') {
    // the site we replace: new typed arrays and re-set buffers on every frame
    const meshes = layout.layers.map((l) => {
      const m = CreateBox(l.name, { size: 1 }, scene);
      m.material = material;
      return m;
    });
    frame = (i) => {
      layout.layers.forEach((l, li) => {
        const values = acts[i & 1].layers[li].data;
        const matrices = new Float32Array(16 * l.count);
        const colors = new Float32Array(4 * l.count);
        for (let k = 0; k < l.count; k++) {
          const v = values[k];
          matrices[16 * k] = matrices[16 * k + 5] = 0.86;
          matrices[16 * k + 10] = 0.2 + Math.abs(v);
          matrices[16 * k + 12] = l.xy[2 * k];
          matrices[16 * k + 13] = l.xy[2 * k + 1];
          matrices[16 * k + 15] = 1;
          colors[4 * k] = v > 0 ? v : 0;
          colors[4 * k + 2] = v < 0 ? -v : 0;
          colors[4 * k + 3] = 1;
        }
        meshes[li].thinInstanceSetBuffer('matrix', matrices, 16, true);
        meshes[li].thinInstanceSetBuffer('color', colors, 4, true);
      });
      scene.render();
    };
  } else {
    // one mesh per cube
    const proto = CreateBox('proto', { size: 0.86 }, scene);
    proto.material = material;
    proto.isVisible = false;
    const cubes: Mesh[] = [];
    for (const l of layout.layers)
      for (let k = 0; k < l.count; k++) {
        const m = proto.clone(`${l.name}-${k}`)!;
        m.isVisible = true;
        m.position.set(l.xy[2 * k], l.xy[2 * k + 1], 0);
        cubes.push(m);
      }
    frame = (i) => {
      let k = 0;
      for (const [li, l] of layout.layers.entries()) {
        const values = acts[i & 1].layers[li].data;
        for (let j = 0; j < l.count; j++) cubes[k++].scaling.z = 0.2 + Math.abs(values[j]);
      }
      scene.render();
    };
  }
  const r = await measure((i) => {
    engine._drawCalls.fetchNewFrame();
    frame(i);
  }, frames);
  const drawCalls = engine._drawCalls.current;
  scene.dispose();
  engine.dispose();
  return { ...r, drawCalls };
}

(globalThis as unknown as { runBench: typeof run }).runBench = run;
(globalThis as unknown as { runBigTour: typeof runBig }).runBigTour = runBig;
