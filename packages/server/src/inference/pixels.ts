/** The model's input as it travels: 784 preprocessed bytes. Normalisation is the element's own. */
export { normalize } from 'cnn-visualizer/preprocess';
export { PIXELS_28 } from '../gallery/schemas.ts';
