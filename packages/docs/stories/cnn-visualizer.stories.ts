/**
 * A story per feature of <cnn-visualizer>. Every story runs the real element and the real model; the
 * "Server backend" story needs our server (it is served by it at /docs/).
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import {
  LocalOnnxBackend,
  type Activations,
  type InferenceBackend,
  type ModelDescription,
} from 'cnn-visualizer';
import { MODEL_URL, SMALL_VGG_URL, WASM_PATH } from './assets.js';

interface Args {
  backend: 'local' | 'server' | 'auto';
  theme: 'light' | 'dark';
  tour: 'auto' | 'manual' | 'off';
  loading: 'lazy' | 'eager';
  encoding: 'float32' | 'uint8';
}

const meta: Meta<Args> = {
  title: 'Element/cnn-visualizer',
  component: 'cnn-visualizer',
  tags: ['autodocs'],
  args: { backend: 'local', theme: 'light', tour: 'auto', loading: 'lazy', encoding: 'float32' },
  argTypes: {
    backend: { control: 'inline-radio', options: ['local', 'server', 'auto'] },
    theme: { control: 'inline-radio', options: ['light', 'dark'] },
    tour: { control: 'inline-radio', options: ['auto', 'manual', 'off'] },
    loading: { control: 'inline-radio', options: ['lazy', 'eager'] },
    encoding: { control: 'inline-radio', options: ['float32', 'uint8'] },
  },
  render: (a) =>
    html`<cnn-visualizer
      backend=${a.backend}
      theme=${a.theme}
      tour=${a.tour}
      loading=${a.loading}
      encoding=${a.encoding}
      model-url=${MODEL_URL}
      wasm-path=${WASM_PATH}
    ></cnn-visualizer>`,
};
export default meta;
type Story = StoryObj<Args>;

/** One tag, no configuration: draw a digit, or click a sample under the pad. */
export const Default: Story = {};

/**
 * `backend="server"`: the network runs on our server; the page downloads no model and no onnxruntime.
 * `backend="auto"` tries the server and falls back to the page. `encoding="uint8"` makes answers 4× smaller.
 */
export const ServerBackend: Story = { args: { backend: 'auto', encoding: 'uint8' } };

/**
 * Any object with `infer(pixels) → Promise<Activations>` can be assigned to `el.backend`: your own API,
 * a worker, a different runtime. This one wraps the page's own backend and shows how long each call took.
 */
export const CustomBackend: Story = {
  render: () => {
    const log = document.createElement('output');
    const el = document.createElement('cnn-visualizer');
    el.setAttribute('model-url', MODEL_URL);
    let local: LocalOnnxBackend | undefined;
    const timed: InferenceBackend = {
      async infer(pixels: Uint8Array): Promise<Activations> {
        if (!local) {
          const model = (await (await fetch(MODEL_URL)).json()) as ModelDescription;
          local = new LocalOnnxBackend(model, {
            modelUrl: new URL(model.onnx, MODEL_URL).href,
            wasmPath: WASM_PATH,
          });
        }
        const t0 = performance.now();
        const acts = await local.infer(pixels);
        log.textContent = `custom backend: ${acts.prediction} in ${(performance.now() - t0).toFixed(1)} ms`;
        return acts;
      },
    };
    el.backend = timed;
    return html`${el}
      <p>${log}</p>`;
  },
};

/** `theme="dark"`, and a page restyling the element through CSS custom properties and `::part`. */
export const ThemesAndParts: Story = {
  render: () =>
    html`<style>
        .branded {
          --cnn-accent: #db2777;
          --cnn-radius: 4px;
          --cnn-font: Georgia, serif;
          --cnn-stage-height: 380px;
        }
        .branded::part(draw-pad) {
          outline: 3px dashed #db2777;
        }
        .branded::part(button) {
          text-transform: uppercase;
          letter-spacing: 0.05em;
        }
      </style>
      <h3>theme="dark"</h3>
      <cnn-visualizer theme="dark" model-url=${MODEL_URL} wasm-path=${WASM_PATH}></cnn-visualizer>
      <h3>custom properties and parts</h3>
      <cnn-visualizer class="branded" model-url=${MODEL_URL} wasm-path=${WASM_PATH}></cnn-visualizer>`,
};

/** The element adapts to its own width (a container query): side by side when wide, stacked when narrow. */
export const Sizes: Story = {
  render: () =>
    html`<h3>360 px (a phone)</h3>
      <div style="width:360px">
        <cnn-visualizer model-url=${MODEL_URL} wasm-path=${WASM_PATH} tour="off"></cnn-visualizer>
      </div>
      <h3>full width, taller stage</h3>
      <cnn-visualizer
        style="--cnn-stage-height:560px"
        model-url=${MODEL_URL}
        wasm-path=${WASM_PATH}
      ></cnn-visualizer>`,
};

/**
 * `loading="lazy"` (the default): nothing is downloaded and no WebGL context exists until the element
 * is about to scroll into view. Scroll down and watch the log.
 */
export const LazyLoading: Story = {
  render: () => {
    const log = document.createElement('ol');
    const note = (t: string) => log.append(Object.assign(document.createElement('li'), { textContent: t }));
    note(`page loaded; WebGL contexts so far: none (the element below is ${innerHeight * 2}px down)`);
    return html`${log}
      <div style="height:${innerHeight * 2}px;display:grid;place-items:center;color:#64748b">↓ scroll ↓</div>
      <cnn-visualizer
        model-url=${MODEL_URL}
        wasm-path=${WASM_PATH}
        @cnn-ready=${() => note('cnn-ready: the element came into view, loaded the model and created its 3D view')}
      ></cnn-visualizer>`;
  },
};

/** Several elements on one page, each with its own WebGL context and backend. */
export const SeveralOnOnePage: Story = {
  render: () =>
    html`<div style="display:grid;gap:16px">
      ${[0, 1, 2].map(
        (i) =>
          html`<cnn-visualizer
            model-url=${MODEL_URL}
            wasm-path=${WASM_PATH}
            theme=${i === 1 ? 'dark' : 'light'}
            tour=${i === 0 ? 'auto' : 'off'}
          ></cnn-visualizer>`,
      )}
    </div>`,
};

/** Every public event as a page sees them: `cnn-progress`, `cnn-ready`, `cnn-input`, `cnn-prediction`, `cnn-step`, `cnn-error`. Draw something. */
export const EventsLog: Story = {
  render: () => {
    const log = document.createElement('pre');
    log.style.cssText =
      'max-height:220px;overflow:auto;background:#0f172a;color:#e2e8f0;padding:10px;border-radius:8px';
    const add = (line: string) => {
      log.textContent = `${new Date().toLocaleTimeString()}  ${line}\n${log.textContent}`;
    };
    return html`<cnn-visualizer
        model-url=${MODEL_URL}
        wasm-path=${WASM_PATH}
        @cnn-progress=${(e: CustomEvent) => add(`cnn-progress  ${e.detail.phase} ${e.detail.loaded}/${e.detail.total}`)}
        @cnn-ready=${(e: CustomEvent) => add(`cnn-ready  backend=${e.detail.backend}`)}
        @cnn-input=${(e: CustomEvent) => add(`cnn-input  source=${e.detail.source}  ${e.detail.pixels ? 'pixels' : 'cleared'}`)}
        @cnn-step=${(e: CustomEvent) => add(`cnn-step  ${e.detail.index} ${e.detail.id}: ${e.detail.title}`)}
        @cnn-prediction=${(e: CustomEvent) =>
          add(
            `cnn-prediction  prediction=${e.detail.prediction}  p=${Math.max(...e.detail.probabilities).toFixed(3)}  layers=${e.detail.activations.layers.length}`,
          )}
        @cnn-error=${(e: CustomEvent) => add(`cnn-error  ${e.detail.type}: ${e.detail.message}`)}
      ></cnn-visualizer>
      ${log}`;
  },
};

/**
 * Readers who ask their system for reduced motion (`prefers-reduced-motion: reduce`) get the results
 * without animation: the tour's steps still explain each layer, but nothing sweeps or rises. This story
 * emulates that setting for the element it creates.
 */
export const ReducedMotion: Story = {
  render: () => {
    const real = window.matchMedia.bind(window);
    window.matchMedia = (q: string) =>
      q.includes('prefers-reduced-motion')
        ? ({ ...real(q), matches: true, media: q } as MediaQueryList)
        : real(q);
    const el = document.createElement('cnn-visualizer');
    el.setAttribute('model-url', MODEL_URL);
    el.setAttribute('wasm-path', WASM_PATH);
    window.matchMedia = real;
    return el;
  },
};

/** An error state a reader can understand: here the model file does not exist. */
export const ErrorState: Story = {
  render: () => html`<cnn-visualizer model-url="/no/such/cnn.json" loading="eager"></cnn-visualizer>`,
};

/**
 * Every number explains itself: point at a cube (tap on a phone, or focus the view and press Enter,
 * then the arrow keys) and the panel shows how it was computed from the layer before, with this
 * drawing's numbers and the model's own weights; its inputs light up in green, and on the draw pad.
 * "What mattered?" (`show-saliency`) shows which pixels drove the answer. From script:
 * `await el.explain('conv1', index)` and `await el.saliency()`.
 */
export const ExplanationsAndSaliency: Story = {
  render: () =>
    html`<cnn-visualizer
      model-url=${MODEL_URL}
      wasm-path=${WASM_PATH}
      digit="3"
      tour="manual"
      step="conv1"
      show-saliency
    ></cnn-visualizer>`,
};

/**
 * A teacher's words: `<cnn-step for="conv1">…</cnn-step>` children replace a step's narration (they
 * work from Markdown, MDX and page editors), `step` opens the tour there, and `hide` keeps only the
 * network, for a figure that shows a fixed `digit`.
 */
export const Authoring: Story = {
  render: () =>
    html`<cnn-visualizer model-url=${MODEL_URL} wasm-path=${WASM_PATH} tour="manual" step="conv1" digit="7">
        <cnn-step for="conv1" title="Filters, as in lecture 3">
          In lecture 3 we called these edge detectors: each of the six maps lights up where its 5×5 filter
          matches a stroke of the 7.
        </cnn-step>
      </cnn-visualizer>
      <p>A figure of the network alone:</p>
      <cnn-visualizer
        model-url=${MODEL_URL}
        wasm-path=${WASM_PATH}
        hide="draw-pad,samples,chart,narration"
        digit="4"
        tour="off"
      ></cnn-visualizer>`,
};

/**
 * Watch it learn: the same network at moments of its training, from random weights (a guess) to the
 * shipped 99.41%. Scrub the "How it learned" slider: the prediction, the view, the explanations and the
 * first layer's filters follow for the current drawing. `checkpoint="0"` opens at the random start;
 * the tour's closing step "How did it learn this?" plays every moment. A moment's file is fetched when
 * it is first chosen.
 */
export const WatchItLearn: Story = {
  render: () =>
    html`<cnn-visualizer
      model-url=${MODEL_URL}
      wasm-path=${WASM_PATH}
      digit="3"
      tour="manual"
      step="training"
      checkpoint="0"
    ></cnn-visualizer>`,
};

/**
 * Another network, the same element: `model-url` names our second shipped model, a small VGG (three 3×3
 * convolutions with zero padding, each followed by batch normalisation and ReLU, average pooling, a dense
 * classifier). Point at a batch-norm cube to see `scale × (x − mean) / √(variance + ε) + bias` with the
 * layer's own numbers; the tour explains batch normalisation and average pooling in their turn. It runs
 * in the page: our server runs LeNet-5.
 */
export const SmallVgg: Story = {
  render: () =>
    html`<cnn-visualizer
      model-url=${SMALL_VGG_URL}
      wasm-path=${WASM_PATH}
      backend="local"
      digit="7"
      tour="manual"
    ></cnn-visualizer>`,
};
