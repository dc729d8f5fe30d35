// The committed WebAssembly modules must be the ones their .wat files compile to (regenerate: npm run build:wasm).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, generated } from '../scripts/build-wasm.ts';

describe('the generated WebAssembly modules', () => {
  it.each(['gemm', 'activations'] as const)('%s-wasm.ts is %s.wat compiled, byte for byte', async (name) => {
    expect(readFileSync(generated(name), 'utf8')).toBe(await generate(name));
  });
});
