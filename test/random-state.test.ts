import { describe, expect, it } from 'vitest';
import { RandomState } from '../src/tensor/random.ts';
import { expectClose } from './expect-close.ts';

// Every literal below was printed with repr() by NumPy 2.4.6 (legacy np.random,
// Python 3), e.g.
//   python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.random((3,4)).tolist()))"
// repr gives the shortest string that round-trips, so JS parses the identical double.

const draws = (rs: RandomState, n: number): number[] => Array.from({ length: n }, () => rs.random());

describe('RandomState.random matches np.random.seed(s); np.random.random(...) bit for bit', () => {
  it('seed 1, shape [3, 4], row-major', () => {
    const got = new RandomState(1).random([3, 4]);
    expect(got).toBeInstanceOf(Float64Array);
    expect(got.length).toBe(12);
    const want = [
      [0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977],
      [0.14675589081711304, 0.0923385947687978, 0.1862602113776709, 0.34556072704304774],
      [0.39676747423066994, 0.538816734003357, 0.4191945144032948, 0.6852195003967595],
    ].flat();
    want.forEach((w, i) => expect(got[i]).toBe(w));
  });

  it('seed 0: the first draws and draws across the first twists (#624, #625, #1000)', () => {
    const got = draws(new RandomState(0), 1000);
    expect(got.slice(0, 5)).toEqual([
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969, 0.4236547993389047,
    ]);
    // Each double takes two 32-bit words and a twist refills 624 words, so draw
    // #624 ends the second block and #625 starts the third.
    expect(got[623]).toBe(0.8130538632474607);
    expect(got[624]).toBe(0.97622566345382);
    expect(got[999]).toBe(0.6771411441114241);
  });

  it('seed 42: the first draws and the 1000th', () => {
    const got = new RandomState(42).random([1000]);
    expect(Array.from(got.subarray(0, 4))).toEqual([
      0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366,
    ]);
    expect(got[999]).toBe(0.44600577295795574);
  });

  it('the largest seed, 2^32 - 1', () => {
    expect(draws(new RandomState(2 ** 32 - 1), 3)).toEqual([0.0976320289940138, 0.9123828453026218, 0.78903530185164]);
  });

  it('random() and random(shape) share one stream', () => {
    const rs = new RandomState(1);
    expect(rs.random()).toBe(0.417022004702574);
    expect(Array.from(rs.random([2]))).toEqual([0.7203244934421581, 0.00011437481734488664]);
    expect(rs.random()).toBe(0.30233257263183977);
  });
});

describe('RandomState.randn / normal match np.random.randn (legacy polar method)', () => {
  // These values agree with NumPy bit for bit. Not every draw does: NumPy takes
  // log() from the C library (glibc here) and we use V8's Math.log, which rounds
  // differently in a few percent of cases; those normals then differ by 1-3 ulp.
  // The last test pins one such pair with a tolerance.
  it('seed 1, randn([2, 3]) exactly', () => {
    const got = new RandomState(1).randn([2, 3]);
    const want = [
      1.6243453636632417, -0.6117564136500754, -0.5281717522634557, -1.0729686221561705, 0.8654076293246785,
      -2.3015386968802827,
    ];
    expect(got.length).toBe(6);
    want.forEach((w, i) => expect(got[i]).toBe(w));
  });

  it('normal() draws the same stream one at a time', () => {
    const rs = new RandomState(1);
    expect([rs.normal(), rs.normal(), rs.normal()]).toEqual([
      1.6243453636632417, -0.6117564136500754, -0.5281717522634557,
    ]);
  });

  it('keeps the cached second normal across uniform draws, like legacy_gauss', () => {
    // np.random.seed(1); random(); randn(3); random()
    const rs = new RandomState(1);
    expect(rs.random()).toBe(0.417022004702574);
    expect(Array.from(rs.randn([3]))).toEqual([-0.8021728386486427, -0.4488778077207725, -1.1059350760083153]);
    expect(rs.random()).toBe(0.538816734003357);
  });

  it('far into the stream, within a few ulp where Math.log and C log differ', () => {
    const got = new RandomState(1).randn([1000]);
    const ulps = { rtol: 4 * Number.EPSILON };
    expectClose(got[26], -0.12289022551864817, ulps, 'randn[26]');
    expectClose(got[27], -0.9357694342590688, ulps, 'randn[27]');
    expectClose(got[998], 0.35387042688284037, ulps, 'randn[998]');
    expectClose(got[999], -0.18695501653274957, ulps, 'randn[999]');
  });
});

describe('RandomState misc', () => {
  it('uniform(low, high, shape) = low + (high - low) * random, like np.random.uniform', () => {
    const got = new RandomState(1).uniform(-2, 3, [2, 2]);
    expect(Array.from(got)).toEqual([0.08511002351287011, 1.6016224672107904, -1.9994281259132756, -0.48833713684080116]);
  });

  it('two generators with the same seed give the same stream; a different seed does not', () => {
    const a = new RandomState(12345);
    const b = new RandomState(12345);
    for (let i = 0; i < 2000; i++) expect(a.next32()).toBe(b.next32());
    expect(new RandomState(7).randn([50])).toEqual(new RandomState(7).randn([50]));
    expect(new RandomState(7).random([5])).not.toEqual(new RandomState(8).random([5]));
  });

  it('the raw MT19937 output matches the reference (seed 5489, 10000th output)', () => {
    // The published check value of the reference mt19937ar / C++ std::mt19937.
    const rs = new RandomState(5489);
    let x = 0;
    for (let i = 0; i < 10000; i++) x = rs.next32();
    expect(x).toBe(4123659995);
  });

  it('rejects seeds NumPy would not take as a 32-bit int, naming RandomState and the value', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new RandomState(bad)).toThrow(/RandomState.*seed/);
      expect(() => new RandomState(bad)).toThrow(String(bad));
    }
    expect(() => new RandomState(0)).not.toThrow();
    expect(() => new RandomState(2 ** 32 - 1)).not.toThrow();
  });

  it('rejects an invalid shape', () => {
    expect(() => new RandomState(0).random([2, -1])).toThrow(/RandomState\.random/);
    expect(() => new RandomState(0).randn([1.5])).toThrow(/RandomState\.randn/);
  });

  it('an empty shape [] is one element; a zero dim is empty', () => {
    expect(new RandomState(1).random([])).toEqual(new Float64Array([0.417022004702574]));
    expect(new RandomState(1).random([0, 3]).length).toBe(0);
  });
});
