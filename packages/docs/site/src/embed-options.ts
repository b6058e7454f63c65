/**
 * The /embed page's query parameters, read into the element's attributes. One definition, used by the
 * page and by the server's oEmbed answer (which keeps only these parameters when it builds the iframe).
 *
 * | parameter   | values              | default | element attribute            |
 * | ----------- | ------------------- | ------- | ---------------------------- |
 * | `backend`   | `local`, `ws`, `auto` | `auto`  | `backend`                    |
 * | `theme`     | `light`, `dark`     | `light` | `theme`                      |
 * | `autoplay`  | `true`, `false`     | `true`  | `tour="auto"` / `"manual"`   |
 * | `narration` | `on`, `off`         | `on`    | `tour="off"` when off        |
 */
export const EMBED_PARAMS = {
  backend: ['auto', 'local', 'ws'],
  theme: ['light', 'dark'],
  autoplay: ['true', 'false'],
  narration: ['on', 'off'],
} as const;

export type EmbedOptions = { [K in keyof typeof EMBED_PARAMS]: (typeof EMBED_PARAMS)[K][number] };

/** The known parameters present in `search` with allowed values; anything else is dropped. */
export function validEmbedParams(search: URLSearchParams): Partial<EmbedOptions> {
  const out: Record<string, string> = {};
  for (const [key, allowed] of Object.entries(EMBED_PARAMS)) {
    const v = search.get(key);
    if (v !== null && (allowed as readonly string[]).includes(v)) out[key] = v;
  }
  return out as Partial<EmbedOptions>;
}

/** Every option: the valid ones given, the defaults (each list's first value) for the rest. */
export function readEmbedOptions(search: URLSearchParams): EmbedOptions {
  const defaults = Object.fromEntries(Object.entries(EMBED_PARAMS).map(([k, allowed]) => [k, allowed[0]]));
  return { ...defaults, ...validEmbedParams(search) } as EmbedOptions;
}

/** The element's attributes for these options. */
export function embedAttributes(o: EmbedOptions): Record<string, string> {
  return {
    backend: o.backend,
    theme: o.theme,
    tour: o.narration === 'off' ? 'off' : o.autoplay === 'true' ? 'auto' : 'manual',
  };
}
