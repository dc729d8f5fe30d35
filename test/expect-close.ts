// The closeness assertion of the tests: NumPy's allclose rule, element by element, failing with the first
// element out of tolerance, both values and both shapes.
import { expect } from 'vitest';
import { Tensor } from '../src/index.ts';

/** What can be compared: a tensor (its values and shape), a flat array (shape [length]) or a number (shape []). */
export type Values = Tensor | ArrayLike<number> | number;

export interface Tolerance {
  /** Relative tolerance, a multiple of |expected| (default 0). */
  rtol?: number;
  /** Absolute tolerance (default 0). */
  atol?: number;
  /** A NaN expected and a NaN got count as equal (default false: any NaN fails). */
  equalNaN?: boolean;
}

/** The largest |v| over the values (0 for none): for a tolerance relative to the largest entry, `atol: tol·maxAbs(want)`. */
export function maxAbs(values: Values): number {
  const v = flat(values);
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| at every element, as numpy.allclose(actual, expected):
 * rtol scales the expected value only. Equal values pass (atol = rtol = 0 is an exact comparison); an
 * infinity matches only the same infinity, and a NaN fails unless `equalNaN` and both are NaN.
 * The element counts must agree, and the shapes too when both sides are tensors. A failure names `what`,
 * the first element out of tolerance (its index in the actual's shape), both values and both shapes.
 */
export function expectClose(actual: Values, expected: Values, tol: Tolerance, what = 'values'): void {
  const { rtol = 0, atol = 0, equalNaN = false } = tol;
  if (!(rtol >= 0 && atol >= 0)) throw new Error(`expectClose: rtol and atol must be numbers ≥ 0, got rtol ${rtol}, atol ${atol}`);
  const got = flat(actual), want = flat(expected), gotShape = shapeOf(actual), wantShape = shapeOf(expected);
  const shapes = `actual shape [${gotShape.join(', ')}], expected shape [${wantShape.join(', ')}]`;
  if (got.length !== want.length) expect.fail(`${what}: ${got.length} elements, expected ${want.length} (${shapes})`);
  if (actual instanceof Tensor && expected instanceof Tensor && gotShape.join() !== wantShape.join()) expect.fail(`${what}: ${shapes}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (g === w || (equalNaN && Number.isNaN(g) && Number.isNaN(w))) continue;
    const diff = Math.abs(g - w), bound = atol + rtol * Math.abs(w);
    if (!(diff <= bound) || !Number.isFinite(w)) { // an infinity matches only itself (as in NumPy)
      const why = Number.isFinite(w) ? `|diff| ${diff} > ${bound} = atol ${atol} + rtol ${rtol}·|expected|` : 'not the same value';
      expect.fail(`${what}${indexIn(gotShape, i)}: got ${g}, expected ${w}; ${why} (${shapes})`);
    }
  }
}

function flat(v: Values): ArrayLike<number> {
  return v instanceof Tensor ? v.data : typeof v === 'number' ? [v] : v;
}

function shapeOf(v: Values): readonly number[] {
  return v instanceof Tensor ? v.shape : typeof v === 'number' ? [] : [v.length];
}

/** Element i (row-major) as an index in `shape`: `[1, 2]`, or `[5]` for a flat array, `` for a number. */
function indexIn(shape: readonly number[], i: number): string {
  if (shape.length === 0) return '';
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}
