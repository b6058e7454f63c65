import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cnnAssets } from '../cnn-assets.ts';

export default defineConfig({
  plugins: [react(), cnnAssets()],
  // Babylon's 3D view is one lazy chunk of about 1 MB
  build: { chunkSizeWarningLimit: 1500 },
});
