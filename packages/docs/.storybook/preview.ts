import { setCustomElementsManifest, type Preview } from '@storybook/web-components-vite';
import manifest from '../../cnn-viz-element/custom-elements.json';

// attributes, properties, events, CSS parts and custom properties, from the element's doc comments
setCustomElementsManifest(manifest);

const preview: Preview = {
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    docs: { toc: true },
  },
};
export default preview;
