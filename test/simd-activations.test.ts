// The WebAssembly σ and tanh of the recurrent layers (src/tensor/activations.wat) against the engine's scalar forms
// (σ as the sigmoid op computes it, with Math.exp; Math.tanh): σ within 2 ulp and tanh within 4 over the whole
// range, exact at the special values, with subnormal and zero results where the scalar forms give them.
import { describe, expect, it } from 'vitest';
import { lanes, sigmoidLanes, tanhLanes } from '../src/tensor/activations-simd.ts';
import { RandomState } from '../src/index.ts';

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The kernel over xs (an odd count too), read back. */
function mapped(kernel: (at: number, n: number) => void, xs: readonly number[]): number[] {
  lanes.set(xs, 3); // an odd start: the kernels take any offset
  kernel(3, xs.length);
  return Array.from(lanes.subarray(3, 3 + xs.length));
}

/** The distance in units of the last place of `want`; 0 for equal values, NaN and NaN, or zeros of one sign. */
function ulps(got: number, want: number): number {
  if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  const spacing = want === 0 ? Number.MIN_VALUE : Math.max(Number.MIN_VALUE, 2 ** (Math.floor(Math.log2(Math.abs(want))) - 52));
  return Math.abs(got - want) / spacing;
}

/** Values spread over [−scale, scale] in magnitude bands, and the ones around each edge of the kernels. */
function values(seed: number, perBand = 200): number[] {
  const rng = new RandomState(seed), xs: number[] = [];
  for (const scale of [1e-300, 1e-20, 1e-8, 1e-3, 0.1, 0.49, 0.5, 0.51, 1, 3, 10, 30, 300, 700, 745, 760]) {
    for (let i = 0; i < perBand; i++) xs.push((2 * rng.random() - 1) * scale);
  }
  return xs;
}
const SPECIAL = [0, -0, 0.5, -0.5, Number.MIN_VALUE, -Number.MIN_VALUE, 708.4, -708.4, 745.1, -745.1, 746, -746, 1e308, -1e308, Infinity, -Infinity, NaN];

describe('the WebAssembly σ and tanh', () => {
  it.each([['sigmoid', sigmoidLanes, sigmoid, 2], ['tanh', tanhLanes, Math.tanh, 4]] as const)('%s: within %s ulp of the scalar form, 3,200 values and the special ones', (_, kernel, scalar, bound) => {
    const xs = [...values(1), ...SPECIAL], got = mapped(kernel, xs);
    const worst = xs.reduce((w, x, i) => Math.max(w, ulps(got[i]!, scalar(x))), 0);
    expect(worst).toBeLessThanOrEqual(bound);
    SPECIAL.forEach((x, i) => {
      const g = got[xs.length - SPECIAL.length + i]!, want = scalar(x);
      if (!Number.isFinite(x) || x === 0 || Number.isNaN(x)) expect(Object.is(g, want) || (Number.isNaN(g) && Number.isNaN(want)), `${_}(${x}) = ${g}, not ${want}`).toBe(true);
    });
  });
  it.each([['sigmoid', sigmoidLanes, sigmoid, 2], ['tanh', tanhLanes, Math.tanh, 4]] as const)('%s: within %s ulp of the scalar form over 96,000 more values', (_, kernel, scalar, bound) => {
    const xs = values(2, 6000), got = mapped(kernel, xs);
    const worst = xs.reduce((w, x, i) => Math.max(w, ulps(got[i]!, scalar(x))), 0);
    expect(worst).toBeLessThanOrEqual(bound);
  });
  it('σ of large negative numbers underflows through the subnormals to 0, as the scalar form', () => {
    const xs = [-708, -720, -740, -744.4, -745.2, -800];
    const got = mapped(sigmoidLanes, xs);
    expect(got[2]).toBeGreaterThan(0);
    expect(got[2]).toBeLessThan(2.2250738585072014e-308); // a subnormal
    expect(got.slice(-2)).toEqual([0, 0]);
    xs.forEach((x, i) => expect(ulps(got[i]!, sigmoid(x)), `σ(${x})`).toBeLessThanOrEqual(2));
  });
  it('leaves the lanes around the mapped ones alone (but for the one after an odd count)', () => {
    lanes.fill(7, 0, 16);
    lanes.set([1, 2, 3], 4);
    tanhLanes(4, 3);
    expect(Array.from(lanes.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(lanes.subarray(8, 16))).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
  });
});
