// examples/digits.ts run as a user runs it: the CNN on the 8×8 digits reaches 97% on the held-out fifth, with a
// progress line per epoch; bad options are refused.
import { describe, expect, it } from 'vitest';
import { runExample } from './run-example.ts';

describe.concurrent('examples/digits.ts', () => {
  it('from the default seed, at least 97% of the 359 held-out digits, one progress line per epoch', async () => {
    const r = await runExample('digits');
    expect(r.code, r.err).toBe(0);
    const epochs = [...r.out.matchAll(/^epoch +(\d+)\/10 +loss (\d+\.\d+) +train (\d+\.\d)% +held out (\d+\.\d)% +\(\d+\.\d s\)$/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(Number(epochs.at(-1)![2])).toBeLessThan(Number(epochs[0]![2]) / 4); // the loss falls
    const final = r.out.match(/^held-out accuracy: (\d+\.\d)% of 359 images$/m);
    expect(final, r.out).not.toBeNull();
    expect(Number(final![1])).toBeGreaterThanOrEqual(97);
    expect(r.out).toContain('(0): Conv2d(');
  });
  it('refuses a bad option, naming it', async () => {
    const r = await runExample('digits', '--epochs', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain("digits: --epochs must be an integer from 1 to 1000, got '0'");
  });
});
