// The engine as the benchmarks measure it: the built package (dist/, what `npm install` gives a user), not its
// TypeScript source run through tsx. tsx compiles with esbuild's keepNames, whose renaming of every class makes V8
// construct instances several times slower (a new tensor per op), which would measure tsx instead of the engine.
// `npm run bench` builds dist/ first.
export * from '../dist/index.js';
