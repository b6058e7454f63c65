/**
 * The drop-in bundle's entry (`dist/cdn/cnn-visualizer.min.js`): defines `<cnn-visualizer>` and
 * nothing else, so the backends' code loads only with the backend a page uses. The npm package's
 * entry (`index.ts`) also exports the backends and helpers for pages that import them.
 */
import { CnnVisualizer } from './cnn-visualizer.js';

if (!customElements.get('cnn-visualizer')) customElements.define('cnn-visualizer', CnnVisualizer);

export { CnnVisualizer };
