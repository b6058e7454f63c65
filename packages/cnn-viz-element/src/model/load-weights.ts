import { fetchModelBytes } from './fetch-model-bytes.js';
import type { Weights } from './tensor.js';

const cache = new Map<string, Promise<Weights>>();

/**
 * The learnt tensors of the ONNX file at `url`, read in the page (the ONNX reader and its protobuf
 * code load only now, on the first explanation). The bytes are those the local backend already
 * downloaded, if it did; several elements on one page share one read.
 */
export function loadWeights(url: string): Promise<Weights> {
  const absolute = new URL(url, document.baseURI).href;
  let p = cache.get(absolute);
  if (!p) {
    p = (async () => {
      const bytes = await fetchModelBytes(absolute).catch((e: Error) => {
        throw new Error(`could not load the model's weights: ${e.message}`);
      });
      const { decodeOnnx, readWeights } = await import('../onnx/index.js');
      return readWeights(await decodeOnnx(bytes));
    })();
    p.catch(() => cache.delete(absolute));
    cache.set(absolute, p);
  }
  return p;
}
