import type { Weights } from './tensor.js';

const cache = new Map<string, Promise<Weights>>();

/**
 * The learnt tensors of the ONNX file at `url`, read in the page (the ONNX reader and its protobuf
 * code load only now, on the first explanation). The browser's cache serves the bytes the local
 * backend already downloaded; several elements on one page share one read.
 */
export function loadWeights(url: string): Promise<Weights> {
  const absolute = new URL(url, document.baseURI).href;
  let p = cache.get(absolute);
  if (!p) {
    p = (async () => {
      const res = await fetch(absolute);
      if (!res.ok)
        throw new Error(`could not load the model's weights from ${absolute} (HTTP ${res.status})`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const { decodeOnnx, readWeights } = await import('../onnx/index.js');
      return readWeights(await decodeOnnx(bytes));
    })();
    p.catch(() => cache.delete(absolute));
    cache.set(absolute, p);
  }
  return p;
}
