// Compiles src/tensor/gemm.wat into src/tensor/gemm-wasm.ts (its bytes in base64), so that the library
// itself needs no WebAssembly toolchain. Run after editing the .wat:  npm run build:wasm
// Two variants: the module as written (its memory imported, not shared) and the same module importing a shared
// memory, which is what lets a worker thread run the same kernels on the same memory.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const WAT = fileURLToPath(new URL('../src/tensor/gemm.wat', import.meta.url));
export const GENERATED = fileURLToPath(new URL('../src/tensor/gemm-wasm.ts', import.meta.url));

const MEMORY = '(import "env" "memory" (memory 1))';
const SHARED_MEMORY = '(import "env" "memory" (memory 1 65536 shared))';

/** The contents gemm-wasm.ts must have for the current gemm.wat. */
export async function generate(): Promise<string> {
  const wabt = await initWabt();
  const wat = readFileSync(WAT, 'utf8');
  if (!wat.includes(MEMORY)) throw new Error(`build-wasm: gemm.wat must import its memory as ${MEMORY}`);
  const base64 = (text: string): string => {
    const module = wabt.parseWat('gemm.wat', text, { simd: true, threads: true });
    const { buffer } = module.toBinary({});
    module.destroy();
    return Buffer.from(buffer).toString('base64');
  };
  return [
    '// Generated from gemm.wat by `npm run build:wasm`; do not edit.',
    `export const GEMM_WASM = '${base64(wat)}';`,
    '// The same module importing a shared memory (for a second thread).',
    `export const GEMM_WASM_SHARED = '${base64(wat.replace(MEMORY, SHARED_MEMORY))}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED, await generate());
  console.log(`wrote ${GENERATED}`);
}
