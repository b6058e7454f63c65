// What the element's browser tests share: making an element the way a page does, waiting for its
// events and conditions (never fixed sleeps), and console errors checked after every test.
import { expect } from '@esm-bundle/chai';
import '../../../src/index.js';
import type { CnnVisualizer } from '../../../src/index.js';

export const MODEL_URL = '/model/cnn.json';
export const WASM_PATH = '/node_modules/onnxruntime-web/dist/';

const consoleErrors: string[] = [];
const originalError = console.error;
console.error = (...args: unknown[]) => {
  consoleErrors.push(args.map(String).join(' '));
  originalError(...args);
};

/** Call in a suite: after every test, no console errors (and the page is emptied). */
export function checkConsolePerTest(): void {
  beforeEach(() => {
    consoleErrors.length = 0;
  });
  afterEach(function () {
    const errors = consoleErrors.splice(0);
    document.querySelectorAll('cnn-visualizer').forEach((e) => e.remove());
    if (this.currentTest?.state !== 'failed')
      expect(errors, 'console errors during the test').to.deep.equal([]);
  });
}

/** Forgets console errors a test caused on purpose (e.g. the browser logging a 404 it provoked). */
export function expectConsoleErrors(pattern: RegExp): void {
  const unexpected = consoleErrors.filter((e) => !pattern.test(e));
  consoleErrors.length = 0;
  expect(unexpected).to.deep.equal([]);
}

export function make(attrs: Record<string, string> = {}, parent: Element = document.body): CnnVisualizer {
  const el = document.createElement('cnn-visualizer');
  el.setAttribute('model-url', MODEL_URL);
  el.setAttribute('wasm-path', WASM_PATH);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.style.width = '900px';
  parent.appendChild(el);
  return el;
}

export function next<T>(el: EventTarget, type: string, timeout = 30_000): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type} within ${timeout} ms`)), timeout);
    el.addEventListener(
      type,
      (e) => {
        clearTimeout(t);
        resolve(e as CustomEvent<T>);
      },
      { once: true },
    );
  });
}

/** Waits until `test()` is true (checked every animation frame), or fails after `timeout` ms. */
export async function until(test: () => boolean, what: string, timeout = 20_000): Promise<void> {
  const start = performance.now();
  while (!test()) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}

/** Records every event of these types that reaches `target`. */
export function record(target: EventTarget, types: string[]): { type: string; detail: unknown }[] {
  const seen: { type: string; detail: unknown }[] = [];
  for (const type of types)
    target.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
  return seen;
}

export const stageCanvas = (el: CnnVisualizer) =>
  el.shadowRoot!.querySelector<HTMLCanvasElement>('canvas[part="stage"]')!;

/**
 * Counts the WebGL contexts the page creates from now on, and how many of them are still alive
 * (not lost on purpose or by the browser): `live()` now, `peak` the most seen at once.
 */
export function trackContexts() {
  const original = HTMLCanvasElement.prototype.getContext;
  const contexts = new Set<WebGLRenderingContext | WebGL2RenderingContext>();
  let peak = 0;
  const live = () => {
    let n = 0;
    for (const c of contexts) if (!c.isContextLost()) n++;
    peak = Math.max(peak, n);
    return n;
  };
  HTMLCanvasElement.prototype.getContext = function (
    this: HTMLCanvasElement,
    type: string,
    ...rest: unknown[]
  ) {
    const ctx = (original as (...a: unknown[]) => unknown).call(this, type, ...rest);
    if (ctx && type.startsWith('webgl')) {
      contexts.add(ctx as WebGL2RenderingContext);
      live();
    }
    return ctx;
  } as typeof original;
  return {
    live,
    get peak() {
      live();
      return peak;
    },
    created: () => contexts.size,
    restore: () => (HTMLCanvasElement.prototype.getContext = original),
  };
}

/** Fraction of the canvas's pixels that differ from its top-left (background) pixel. */
export function inkedFraction(c: HTMLCanvasElement): number {
  const copy = document.createElement('canvas');
  copy.width = c.width;
  copy.height = c.height;
  const ctx = copy.getContext('2d')!;
  ctx.drawImage(c, 0, 0);
  const { data } = ctx.getImageData(0, 0, c.width, c.height);
  let differ = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 24)
      differ++;
  return differ / (data.length / 4);
}
