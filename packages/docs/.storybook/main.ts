// Storybook for <cnn-visualizer>: a story per feature, autodocs from the element's custom-elements.json,
// and usage pages. Built into dist/docs and served by the server at /docs/.
import type { StorybookConfig } from '@storybook/web-components-vite';

// During `storybook dev` the drop-in's files (model, ORT wasm) are served at /cdn/ as the server does;
// the built Storybook lives at /docs/ on our server, next to the real /cdn/.
const dev = process.argv.includes('dev');

const config: StorybookConfig = {
  framework: '@storybook/web-components-vite',
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  staticDirs: dev ? [{ from: '../../cnn-viz-element/dist/cdn', to: '/cdn' }] : [],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  viteFinal: (vite) => ({
    ...vite,
    // served under /docs/: relative asset URLs
    base: './',
    build: { ...vite.build, chunkSizeWarningLimit: 4000 },
  }),
};
export default config;
