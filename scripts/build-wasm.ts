// Compiles src/tensor/gemm.wat into src/tensor/gemm-wasm.ts (its bytes in base64), so that the library
// itself needs no WebAssembly toolchain. Run after editing the .wat:  npm run build:wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const WAT = fileURLToPath(new URL('../src/tensor/gemm.wat', import.meta.url));
export const GENERATED = fileURLToPath(new URL('../src/tensor/gemm-wasm.ts', import.meta.url));

/** The contents gemm-wasm.ts must have for the current gemm.wat. */
export async function generate(): Promise<string> {
  const wabt = await initWabt();
  const module = wabt.parseWat('gemm.wat', readFileSync(WAT, 'utf8'), { simd: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  return [
    '// Generated from gemm.wat by `npm run build:wasm`; do not edit.',
    `export const GEMM_WASM = '${Buffer.from(buffer).toString('base64')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED, await generate());
  console.log(`wrote ${GENERATED}`);
}
