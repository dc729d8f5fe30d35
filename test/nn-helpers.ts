// Helpers shared by the nn test files: plain arithmetic, never the engine.
import { expect } from 'vitest';

export const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

/** |got − want| ≤ rtol·max(|want|, floor) elementwise, with a message naming the first bad element. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string, floor = 1e-300): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]), tol = rtol * Math.max(Math.abs(want[i]), floor);
    if (!(err <= tol)) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (|diff| ${err.toExponential(2)} > ${tol.toExponential(2)})`);
  }
}
