// Without SharedArrayBuffer (a browser page that is not cross-origin isolated) gemm must still load, with an
// unshared memory and no helper thread, and compute the same products. Checked in a child process, since the
// choice is made when the module loads.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('gemm without shared memory', () => {
  it('falls back to one thread and an unshared memory', () => {
    const script = fileURLToPath(new URL('./fixtures/gemm-without-threads.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim()) as { shared: boolean; helper: boolean; worst: number };
    expect(result.shared).toBe(false);
    expect(result.helper).toBe(false);
    expect(result.worst).toBeLessThan(1e-10);
  });
});
