/**
 * Where the stories find the model and onnxruntime's wasm: `/cdn/` on the same host, as served by our
 * server (Storybook is at /docs/) and by `storybook dev`. A page using the drop-in bundle needs none of
 * this: the bundle finds its files next to itself.
 */
export const CDN = new URL('../cdn/', location.href).href;
export const MODEL_URL = `${CDN}cnn.json`;
/** The second network we ship: a small VGG (3×3 convolutions, batch normalisation, average pooling). */
export const SMALL_VGG_URL = `${CDN}small-vgg/cnn.json`;
export const WASM_PATH = CDN;
