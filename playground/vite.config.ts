// The playground: a static page (no server code) that runs the engine from ../src in the browser.
// `vite build` writes the served site: index.html with its script, style and Graphviz as separate files.
// `vite build --mode single` then adds dist/playground.html: the same page as one file, everything inlined, that
// works opened from disk (file://), where the browser refuses to load module scripts from files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

const SINGLE_FILE = 'playground.html';

export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './', // relative asset paths: the built page works from any folder
  resolve: { alias: { 'tensorgrad-ts': fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  // Graphviz (WebAssembly inside, ~1.4 MB) is its own chunk, loaded after the page is up; in the single file it is
  // inlined with the rest (no code splitting), and the page still draws the graph only once it has compiled.
  // keepNames: the optimizers label their profile spans with their class name (SGD.step), which minifying would mangle.
  build: {
    outDir: 'dist', emptyOutDir: mode !== 'single', target: 'es2022', chunkSizeWarningLimit: 1500,
    rolldownOptions: { output: { keepNames: true } },
  },
  plugins: mode === 'single' ? [viteSingleFile({ outputFileName: SINGLE_FILE })] : [],
}));
