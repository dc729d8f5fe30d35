// The kernels over runs of values (src/tensor/kernels.ts): from 128 values they hand copies and fills to the
// runtime (TypedArray.set and fill) and walk subarrays; a sum of rows takes four rows a pass. Each must give what
// the plain loop gives, to the last bit, at any offset, and touch nothing outside its run.
import { describe, expect, it } from 'vitest';
import { addScaled, copyRun, fillRun, reduceSum, stridedPlace, stridedWalk } from '../src/tensor/kernels.ts';
import { RandomState } from '../src/index.ts';

const rng = new RandomState(5);
const values = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.random() * 2 - 1);
const SIZES = [0, 1, 127, 128, 129, 135, 1000, 1003]; // the crossover, and tails of 1 and 7 past the unrolled loop

describe('run kernels', () => {
  it.each(SIZES)('copyRun, fillRun and addScaled over %s values give what loops give, and nothing else changes', (n) => {
    const x = values(n + 7), y0 = values(n + 9), a = -0.37;
    const copied = y0.slice(), filled = y0.slice(), added = y0.slice();
    copyRun(n, x, 3, copied, 5);
    fillRun(n, 2.5, filled, 5);
    addScaled(n, a, x, 3, added, 5);
    const want = { copied: y0.slice(), filled: y0.slice(), added: y0.slice() };
    for (let i = 0; i < n; i++) {
      want.copied[5 + i] = x[3 + i];
      want.filled[5 + i] = 2.5;
      want.added[5 + i] += a * x[3 + i];
    }
    expect(copied).toEqual(want.copied);
    expect(filled).toEqual(want.filled);
    expect(added).toEqual(want.added);
  });

  it('a sum of rows into one row adds them in order (four a pass, then the rest), bit for bit', () => {
    for (const rows of [1, 3, 4, 7, 9]) {
      const C = 130, x = values(rows * C + 2), y = new Float64Array(C + 1), want = new Float64Array(C + 1);
      reduceSum(stridedWalk([rows, C], [C, 1], [0, 1]), x, 2, y, 1);
      for (let r = 0; r < rows; r++) for (let j = 0; j < C; j++) want[1 + j] += x[2 + r * C + j];
      expect(y).toEqual(want);
    }
  });

  it('placing a box writes its values (−0 stays −0) at the walk\'s positions and nothing else', () => {
    const g = values(2 * 200);
    g[0] = -0;
    const out = new Float64Array(3 * 200 + 1);
    stridedPlace(stridedWalk([2, 200], [200, 1], [400, 1]), g, 0, out, 1); // rows 0 and 2 of a [3, 200] box
    expect(Object.is(out[1], -0)).toBe(true);
    expect(Array.from(out.subarray(1, 201))).toEqual(Array.from(g.subarray(0, 200)));
    expect(Array.from(out.subarray(201, 401)).every((v) => v === 0)).toBe(true);
    expect(Array.from(out.subarray(401, 601))).toEqual(Array.from(g.subarray(200, 400)));
    expect(out[0]).toBe(0);
  });
});
