/** Where the host apps serve the model and onnxruntime-web's wasm (see cnn-assets.ts). */
export const CNN_BASE = '/cnn/';
