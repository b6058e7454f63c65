/**
 * The options a page can give `<cnn-visualizer>` through a URL (the `/embed` page's query string,
 * the demo site's shareable links, the server's oEmbed answer), mapped one to one onto the element's
 * attributes. DOM-free (subpath `cnn-visualizer/embed-options`): the site and the server share it.
 *
 * | parameter    | values                            | default  | element attribute |
 * | ------------ | --------------------------------- | -------- | ----------------- |
 * | `backend`    | `local`, `server`, `auto`         | `auto`   | `backend`         |
 * | `theme`      | `light`, `dark`                   | `light`  | `theme`           |
 * | `tour`       | `auto`, `manual`, `off`           | `auto`   | `tour`            |
 * | `step`       | a tour step's id (`conv1`, …)     | —        | `step`            |
 * | `hide`       | comma list of `draw-pad`, `samples`, `chart`, `narration`, `training` | — | `hide` |
 * | `digit`      | `0`…`9`: classify a sample digit  | —        | `digit`           |
 * | `checkpoint` | a moment of training: `0` (random weights) … the last (the shipped model) | the last | `checkpoint` |
 * | `model`      | an `http(s)://` URL of an ONNX model or a `cnn.json` | the shipped LeNet-5 | `model-url` |
 *
 * A page's own model runs in the page: with `model`, `backend` is always `local` (the server only
 * knows its own network). The model's host must allow the page's origin (CORS).
 *
 * Older links keep working: `backend=ws` means `server`; `narration=off` means `tour=off`;
 * `autoplay=false` means `tour=manual`.
 */

export const HIDEABLE = ['draw-pad', 'samples', 'chart', 'narration', 'training'] as const;
export type Hideable = (typeof HIDEABLE)[number];

export interface EmbedOptions {
  backend: 'auto' | 'local' | 'server';
  theme: 'light' | 'dark';
  tour: 'auto' | 'manual' | 'off';
  step?: string;
  hide?: string;
  digit?: string;
  /** Index of a training checkpoint of the model (`checkpoints` in its description). */
  checkpoint?: string;
  /** An absolute `http:`/`https:` URL of a model (ONNX file or `cnn.json`). */
  model?: string;
}

type Reader = (raw: string) => string | undefined;
const oneOf =
  (...allowed: string[]): Reader =>
  (raw) =>
    allowed.includes(raw) ? raw : undefined;

/** How each parameter is read: a valid value, or undefined (the parameter is dropped). */
const READERS: Record<keyof EmbedOptions, Reader> = {
  backend: (raw) => (raw === 'ws' ? 'server' : oneOf('auto', 'local', 'server')(raw)),
  theme: oneOf('light', 'dark'),
  tour: oneOf('auto', 'manual', 'off'),
  step: (raw) => (/^[A-Za-z0-9_.-]{1,64}$/.test(raw) ? raw : undefined),
  hide: (raw) => {
    const parts = raw.split(',').map((s) => s.trim());
    return parts.length > 0 && parts.every((p) => (HIDEABLE as readonly string[]).includes(p))
      ? parts.join(',')
      : undefined;
  },
  digit: (raw) => (/^[0-9]$/.test(raw) ? raw : undefined),
  checkpoint: (raw) => (/^[0-9]{1,2}$/.test(raw) ? String(Number(raw)) : undefined),
  model: (raw) => {
    if (raw.length > 2048 || !URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    const web = url.protocol === 'https:' || url.protocol === 'http:';
    return web && !url.username && !url.password ? url.href : undefined;
  },
};

/** The element attribute of each parameter where the names differ. */
const ATTRIBUTES: Partial<Record<keyof EmbedOptions, string>> = { model: 'model-url' };

const DEFAULTS: Pick<EmbedOptions, 'backend' | 'theme' | 'tour'> = {
  backend: 'auto',
  theme: 'light',
  tour: 'auto',
};

/** The known parameters present in `search` with valid values; anything else is dropped. */
export function validEmbedParams(search: URLSearchParams): Partial<EmbedOptions> {
  const out: Record<string, string> = {};
  // the older vocabulary first, so the current one wins when both are given
  if (search.get('narration') === 'off') out.tour = 'off';
  else if (search.get('autoplay') === 'false') out.tour = 'manual';
  for (const [key, read] of Object.entries(READERS)) {
    const raw = search.get(key);
    const v = raw === null ? undefined : read(raw);
    if (v !== undefined) out[key] = v;
  }
  if (out.model) out.backend = 'local';
  return out as Partial<EmbedOptions>;
}

/** Every option: the valid ones given, the defaults for the rest. */
export function readEmbedOptions(search: URLSearchParams): EmbedOptions {
  return { ...DEFAULTS, ...validEmbedParams(search) };
}

/** The element's attributes for these options (parameter = attribute, but `model` sets `model-url`). */
export function embedAttributes(o: Partial<EmbedOptions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(READERS) as (keyof EmbedOptions)[]) {
    const v = o[key];
    if (v !== undefined) out[ATTRIBUTES[key] ?? key] = v;
  }
  return out;
}
