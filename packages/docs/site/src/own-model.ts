/**
 * "Try your own model" on the home page: an `.onnx` file picked or dropped is handed to the element
 * as an object URL (read by the browser, never uploaded); `/?model=<http(s) URL>` opens a model a
 * teacher hosts. Either runs in the page (`backend="local"`: the server only knows its own network).
 * What happens is said in words: loading, running, or the element's `cnn-error` message.
 */
import type { CnnVisualizer } from 'cnn-visualizer';

export interface OwnModelElements {
  viz: CnnVisualizer;
  file: HTMLInputElement;
  dropZone: HTMLElement;
  status: HTMLElement;
  reset: HTMLButtonElement;
}

/** Where the current model came from (null: one of ours, see network-choice.ts). */
export type ModelSource = { kind: 'file'; name: string } | { kind: 'url'; url: string } | null;

/** The network we ship that the page shows when no model of the reader's runs, and its attributes. */
export interface OurNetwork {
  name: string;
  attributes: { 'model-url': string; backend: string | null };
}

export interface OwnModel {
  readonly source: ModelSource;
  /** Leaves the reader's model for ours (as the "Back to our …" button does). */
  backToOurs(): void;
  /** Opens a model a page link names (`/?model=`), already validated as an http(s) URL. */
  openUrl(url: string): void;
}

export function ownModel(
  { viz, file, dropZone, status, reset }: OwnModelElements,
  onChange: (source: ModelSource) => void,
  ours: () => OurNetwork,
): OwnModel {
  let source: ModelSource = null;
  let objectUrl: string | null = null;

  const say = (text: string, kind: 'ok' | 'bad' | '' = '') => {
    status.textContent = text;
    status.className = `model-status ${kind}`;
  };
  const described = () =>
    source?.kind === 'file' ? source.name : source ? source.url : `our ${ours().name}`;

  function use(url: string, next: ModelSource) {
    if (objectUrl && objectUrl !== url) URL.revokeObjectURL(objectUrl);
    objectUrl = next?.kind === 'file' ? url : null;
    source = next;
    viz.setAttribute('backend', 'local');
    viz.setAttribute('model-url', url);
    reset.textContent = `Back to our ${ours().name}`;
    reset.hidden = false;
    say(`Loading ${described()}…`);
    onChange(source);
  }

  function openFile(f: File) {
    if (!/\.onnx$/i.test(f.name)) {
      say(`“${f.name}” is not an ONNX model: pick a file ending in .onnx.`, 'bad');
      return;
    }
    use(URL.createObjectURL(f), { kind: 'file', name: f.name });
  }

  function backToShipped() {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    source = null;
    const { attributes } = ours();
    viz.setAttribute('model-url', attributes['model-url']);
    if (attributes.backend === null) viz.removeAttribute('backend');
    else viz.setAttribute('backend', attributes.backend);
    reset.hidden = true;
    file.value = '';
    say('');
    onChange(null);
  }

  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) openFile(f);
  });
  reset.addEventListener('click', backToShipped);

  // a file dropped anywhere on the page (a missed drop would otherwise replace the page with the file)
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  let depth = 0;
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth++;
    dropZone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (hasFiles(e) && --depth <= 0) {
      depth = 0;
      dropZone.classList.remove('dragging');
    }
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    dropZone.classList.remove('dragging');
    const f = e.dataTransfer!.files[0];
    if (f) openFile(f);
  });

  viz.addEventListener('cnn-ready', (e) => {
    if (!source) return;
    const { model } = e.detail;
    say(
      `Running ${described()} in your browser: ${model.layers.length - 1} layers, ${model.classes.length} classes. Draw a digit to see what it makes of it.`,
      'ok',
    );
  });
  viz.addEventListener('cnn-error', (e) => {
    if (!source) return;
    say(`${described()} could not be used. ${e.detail.message}`, 'bad');
  });

  return {
    get source() {
      return source;
    },
    openUrl: (url) => use(url, { kind: 'url', url }),
    backToOurs: () => {
      if (source) backToShipped();
    },
  };
}
