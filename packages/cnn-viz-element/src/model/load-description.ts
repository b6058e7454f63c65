import { validateDescription, type ModelDescription } from './description.js';

const cache = new Map<string, Promise<ModelDescription>>();

/** Fetches and validates `cnn.json`; several elements on one page share one request. */
export function loadModelDescription(url: string): Promise<ModelDescription> {
  const absolute = new URL(url, document.baseURI).href;
  let p = cache.get(absolute);
  if (!p) {
    p = fetch(absolute).then(async (res) => {
      if (!res.ok) throw new Error(`${absolute} answered HTTP ${res.status}`);
      return validateDescription(await res.json());
    });
    p.catch(() => cache.delete(absolute));
    cache.set(absolute, p);
  }
  return p;
}
