/**
 * A model file's bytes, fetched once per page: the local backend runs them, the explanations and the
 * training slider read their weights from the same bytes (no second download of an ONNX file or a
 * training checkpoint). Reports download progress when the server sends a length.
 */
const cache = new Map<string, Promise<Uint8Array>>();

export function fetchModelBytes(url: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
  const absolute = new URL(url, document.baseURI).href;
  let p = cache.get(absolute);
  if (!p) {
    p = download(absolute, onProgress);
    p.catch(() => cache.delete(absolute)); // tried again next time
    cache.set(absolute, p);
  } else onProgress?.(1);
  return p;
}

async function download(url: string, onProgress?: (f: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load the model from ${url} (HTTP ${res.status})`);
  // the length may be the compressed one: progress is capped, the bytes are what arrives
  const total = Number(res.headers.get('content-length')) || 0;
  if (!res.body || !total || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(Math.min(1, received / total));
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
