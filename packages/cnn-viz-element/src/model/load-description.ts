import { validateDescription, type ModelDescription } from './description.js';
import type { Weights } from './tensor.js';

/** A model ready for the element: its description, and for an `.onnx` given directly its bytes and weights. */
export interface LoadedModel {
  description: ModelDescription;
  /** An ONNX file given at `model-url`: rewritten so every drawn layer is an output (what to run). */
  bytes?: Uint8Array;
  /** Its learnt tensors (for the explanations). */
  weights?: Weights;
}

const cache = new Map<string, Promise<LoadedModel>>();

/**
 * Fetches `cnn.json` and validates it, or reads an ONNX file directly (detected from its bytes: a
 * description is JSON, an ONNX file is protobuf) with the ONNX reader, loaded only for this path.
 * Several elements on one page share one request.
 */
export function loadModelDescription(url: string): Promise<LoadedModel> {
  const absolute = new URL(url, document.baseURI).href;
  let p = cache.get(absolute);
  if (!p) {
    p = fetch(absolute).then(async (res) => {
      if (!res.ok) throw new Error(`${absolute} answered HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const first = bytes.find(
        (b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf,
      );
      if (first === 0x7b /* { */)
        return { description: validateDescription(JSON.parse(new TextDecoder().decode(bytes))) };
      const { loadOnnx } = await import('../onnx/index.js');
      const name = decodeURIComponent(new URL(absolute).pathname.split('/').pop() || 'model.onnx');
      const model = await loadOnnx(bytes, { onnx: absolute, name: name.replace(/\.onnx$/i, '') });
      return { description: model.description, bytes: model.bytes, weights: model.weights };
    });
    p.catch(() => cache.delete(absolute));
    cache.set(absolute, p);
  }
  return p;
}
