// The elementwise kernels are compiled per op at run time (kernels.ts, perOp); where a page forbids that, they
// fall back to closures and must give the same values, to the last bit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNTIME_CODE } from '../src/tensor/kernels.ts';
import { elementwiseProgram } from './fixtures/elementwise-program.ts';

describe('elementwise kernels', () => {
  it('are compiled per op here (Node allows runtime code)', () => {
    expect(RUNTIME_CODE).toBe(true);
  });

  it('give the same values and gradients where runtime code is forbidden', () => {
    const script = fileURLToPath(new URL('./fixtures/ops-without-runtime-code.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--disallow-code-generation-from-strings', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim()) as { runtimeCode: boolean; compileError: string; values: number[]; grads: number[][] };
    expect(result.runtimeCode).toBe(false);
    // compile() replays a step as generated code: there it refuses at once, by name, instead of failing later.
    expect(result.compileError).toMatch(/^compile: this platform forbids code generated at run time/);
    const here = elementwiseProgram();
    expect(result.values).toEqual(here.values);
    expect(result.grads).toEqual(here.grads);
    expect(here.values.every(Number.isFinite)).toBe(true);
  });
});
