// Compiles the WebAssembly text of src/tensor (gemm.wat, activations.wat) into TypeScript files holding the
// modules' bytes in base64 (gemm-wasm.ts, activations-wasm.ts), so that the library itself needs no WebAssembly
// toolchain. Run after editing a .wat:  npm run build:wasm
// gemm has two variants: the module as written (its memory imported, not shared) and the same module importing a
// shared memory, which is what lets a worker thread run the same kernels on the same memory.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export type WasmModule = 'gemm' | 'activations';
const source = (name: WasmModule): string => fileURLToPath(new URL(`../src/tensor/${name}.wat`, import.meta.url));
/** The generated file of a module. */
export const generated = (name: WasmModule): string => fileURLToPath(new URL(`../src/tensor/${name}-wasm.ts`, import.meta.url));

const MEMORY = '(import "env" "memory" (memory 1))';
const SHARED_MEMORY = '(import "env" "memory" (memory 1 65536 shared))';

/** The contents the generated file of `name` must have for its current .wat. */
export async function generate(name: WasmModule): Promise<string> {
  const wabt = await initWabt();
  const wat = readFileSync(source(name), 'utf8');
  if (!wat.includes(MEMORY)) throw new Error(`build-wasm: ${name}.wat must import its memory as ${MEMORY}`);
  const base64 = (text: string): string => {
    const module = wabt.parseWat(`${name}.wat`, text, { simd: true, threads: true });
    const { buffer } = module.toBinary({});
    module.destroy();
    return Buffer.from(buffer).toString('base64');
  };
  const NAME = name.toUpperCase();
  return [
    `// Generated from ${name}.wat by \`npm run build:wasm\`; do not edit.`,
    `export const ${NAME}_WASM = '${base64(wat)}';`,
    ...(name === 'gemm' ? [
      '// The same module importing a shared memory (for a second thread).',
      `export const ${NAME}_WASM_SHARED = '${base64(wat.replace(MEMORY, SHARED_MEMORY))}';`,
    ] : []),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of ['gemm', 'activations'] as const) {
    writeFileSync(generated(name), await generate(name));
    console.log(`wrote ${generated(name)}`);
  }
}
