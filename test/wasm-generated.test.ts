// The committed WebAssembly kernel must be the one gemm.wat compiles to (regenerate: npm run build:wasm).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, GENERATED } from '../scripts/build-wasm.ts';

describe('gemm-wasm.ts', () => {
  it('is gemm.wat compiled, byte for byte', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(await generate());
  });
});
