// Memory stays bounded while training on ragged batches: the old engine's gradient buffer pool grew to 1.94 GB
// with batch sizes varying 1–1024. The loop is the soak benchmark's (bench/soak-child.ts), in a child process
// because reading memory after a forced GC needs --expose-gc; `npx tsx bench/soak.ts` runs it 100,000 steps.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SoakResult } from '../bench/soak-child.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../bench/soak-child.ts', import.meta.url));
const BOUND = 8 * 2 ** 20;

function soak(steps: number, warm: number, env: Record<string, string> = {}): SoakResult {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT, String(steps), String(warm), '6'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (child.status !== 0) throw new Error(`soak-child exited with ${child.status}:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SoakResult;
}

/** The largest heapUsed + arrayBuffers at a checkpoint, above the reading after the warm-up. */
function growth(r: SoakResult): number {
  const total = (i: number): number => r.readings[i].heapUsed + r.readings[i].arrayBuffers;
  return Math.max(...r.readings.slice(2).map((_, i) => total(i + 2) - total(1)));
}

describe('memory over a long training run with varying batch sizes', () => {
  it('4,000 steps: after a 1,000-step warm-up, heapUsed + arrayBuffers grow by less than 8 MiB', () => {
    const r = soak(4000, 1000);
    expect(r.readings).toHaveLength(8); // start, warm-up, 6 checkpoints
    expect(r.lossAfter).toBeLessThan(r.lossBefore / 10); // it did train
    expect(growth(r), `growth ${(growth(r) / 2 ** 20).toFixed(2)} MiB`).toBeLessThan(BOUND);
  });

  it('the check can fail: keeping one activation per distinct batch size, as a pool would, exceeds the bound', () => {
    const r = soak(4000, 1000, { SOAK_LEAK: '1' });
    expect(growth(r)).toBeGreaterThan(BOUND);
  });
});
