import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { cnnAssets } from '../cnn-assets.ts';

export default defineConfig({
  plugins: [
    // Vue must leave <cnn-visualizer> to the browser instead of resolving it as a Vue component
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('cnn-') } } }),
    cnnAssets(),
  ],
  // Babylon's 3D view is one lazy chunk of about 1 MB
  build: { chunkSizeWarningLimit: 1500 },
});
