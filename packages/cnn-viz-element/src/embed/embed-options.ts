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
 * | `hide`       | comma list of `draw-pad`, `samples`, `chart`, `narration` | — | `hide` |
 * | `digit`      | `0`…`9`: classify a sample digit  | —        | `digit`           |
 *
 * Older links keep working: `backend=ws` means `server`; `narration=off` means `tour=off`;
 * `autoplay=false` means `tour=manual`.
 */

export const HIDEABLE = ['draw-pad', 'samples', 'chart', 'narration'] as const;
export type Hideable = (typeof HIDEABLE)[number];

export interface EmbedOptions {
  backend: 'auto' | 'local' | 'server';
  theme: 'light' | 'dark';
  tour: 'auto' | 'manual' | 'off';
  step?: string;
  hide?: string;
  digit?: string;
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
};

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
  return out as Partial<EmbedOptions>;
}

/** Every option: the valid ones given, the defaults for the rest. */
export function readEmbedOptions(search: URLSearchParams): EmbedOptions {
  return { ...DEFAULTS, ...validEmbedParams(search) };
}

/** The element's attributes for these options (one name per concept: parameter = attribute). */
export function embedAttributes(o: Partial<EmbedOptions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(READERS) as (keyof EmbedOptions)[]) {
    const v = o[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
