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

/** Known parameters with allowed values; anything else is ignored (first value is the default). */
export function readEmbedOptions(search: URLSearchParams): EmbedOptions {
  const out = {} as Record<string, string>;
  for (const [key, allowed] of Object.entries(EMBED_PARAMS)) {
    const v = search.get(key);
    out[key] = v !== null && (allowed as readonly string[]).includes(v) ? v : allowed[0];
  }
  return out as EmbedOptions;
}

/** The element's attributes for these options. */
export function embedAttributes(o: EmbedOptions): Record<string, string> {
  return {
    backend: o.backend,
    theme: o.theme,
    tour: o.narration === 'off' ? 'off' : o.autoplay === 'true' ? 'auto' : 'manual',
  };
}
