// The playground: a static page (no server code) that runs the engine from ../src in the browser.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './', // relative asset paths: the built page works from any folder
  resolve: { alias: { 'tensorgrad-ts': fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  // Graphviz (WebAssembly inside, ~1.4 MB) is its own chunk, loaded after the page is up.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1500 },
});
