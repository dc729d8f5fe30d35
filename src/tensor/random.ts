// Seeded random numbers, bit-compatible with NumPy's legacy generator
// (np.random.seed / random / randn / uniform), so weights and data drawn here
// match a NumPy reference run exactly.

import { checkShape, show, sizeOf, type Shape } from './shape.ts';

/** Throw unless `seed` is what np.random.seed takes here: an integer in [0, 2³² − 1]. */
function checkSeed(fn: string, seed: unknown): asserts seed is number {
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) {
    throw new Error(`${fn}: seed must be an integer in [0, 2^32 - 1], got ${show(seed)}`);
  }
}

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * A random number generator bit-compatible with NumPy's legacy one (MT19937): `new RandomState(seed)` draws what
 * `np.random.seed(seed)` followed by `np.random.random`, `np.random.uniform` and `np.random.randn` draw, so weights
 * and data match a NumPy reference run. Pass one as `rng` to {@link rand}, {@link randn}, {@link nn.Linear},
 * {@link nn.Dropout} and {@link dropout} for draws of their own.
 *
 * @example
 * ```ts
 * new RandomState(0).random() // 0.5488135039
 * ```
 */
export class RandomState {
  /** @internal the generator's state: 624 words, and the position of the next one to temper. */
  private readonly mt = new Uint32Array(N);
  /** @internal */
  private pos = N;
  /** @internal legacy_gauss draws normals in pairs and keeps the second for the next call. */
  private hasGauss = false;
  /** @internal */
  private gauss = 0;

  /** A generator seeded as `np.random.seed(seed)`, for an integer seed in [0, 2³² − 1]. */
  constructor(seed: number) {
    checkSeed('RandomState', seed);
    // init_genrand, which is what NumPy's mt19937_seed does for an int seed.
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i; // Uint32Array store wraps mod 2^32
    }
  }

  /**
   * The next raw 32-bit output (genrand_int32), as an unsigned integer.
   *
   * @example
   * ```ts
   * new RandomState(0).next32() // 2357136044
   * ```
   */
  next32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++] | 0; // int32 keeps V8 on small-integer ops
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * One double in [0, 1) (NumPy's random_sample).
   *
   * @example
   * ```ts
   * new RandomState(1).random() // 0.417022
   * ```
   */
  random(): number;
  /**
   * A new row-major array of doubles in [0, 1), `np.random.random(shape)`.
   *
   * @example
   * ```ts
   * new RandomState(1).random([2]) // [0.417022, 0.720324]
   * ```
   */
  random(shape: Shape): Float64Array;
  random(shape?: Shape): number | Float64Array {
    if (shape === undefined) return this.double();
    const out = new Float64Array(sizeOf(checkShape('RandomState.random', shape)));
    for (let i = 0; i < out.length; i++) out[i] = this.double();
    return out;
  }

  /**
   * One standard normal, exactly as NumPy's legacy_gauss: the Marsaglia polar
   * method. Draw (x1, x2) uniformly in the square [-1, 1)^2 until it falls
   * strictly inside the unit circle (and not at 0); then f*x1 and f*x2 with
   * f = sqrt(-2 ln(r2) / r2) are two independent normals. f*x2 is returned and
   * f*x1 cached for the next call.
   */
  normal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.double() - 1;
      x2 = 2 * this.double() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * `np.random.randn(*shape)`: standard normals in row-major order.
   *
   * @example
   * ```ts
   * new RandomState(0).randn([2]) // [1.764052, 0.400157]
   * ```
   */
  randn(shape: Shape): Float64Array {
    const out = new Float64Array(sizeOf(checkShape('RandomState.randn', shape)));
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /**
   * `np.random.uniform(low, high, shape)`: low + (high − low)·random, NumPy's formula.
   *
   * @example
   * ```ts
   * new RandomState(1).uniform(-1, 1, [2]) // [-0.165956, 0.440649]
   * ```
   */
  uniform(low: number, high: number, shape: Shape): Float64Array {
    if (typeof low !== 'number' || typeof high !== 'number' || Number.isNaN(low) || Number.isNaN(high)) {
      throw new Error(`RandomState.uniform: low and high must be numbers, got ${show(low)} and ${show(high)}`);
    }
    const out = new Float64Array(sizeOf(checkShape('RandomState.uniform', shape)));
    const range = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.double();
    return out;
  }

  /** @internal a 53-bit double from 27 + 26 high bits of two outputs (random_sample / genrand_res53). */
  private double(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * @internal Regenerate all 624 words at once, in the reference's three segments so no
   * index needs a modulo (about 25% faster than mt[(k + 1) % N] in V8).
   */
  private twist(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M - N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}

let globalRng = new RandomState(0);

/**
 * Reseed the global generator, which rand, randn, dropout and the layers' initial weights use when no `rng` is given
 * (it starts seeded with 0).
 *
 * @example
 * ```ts
 * manualSeed(1);
 * rand([1]) // [0.417022]
 * ```
 */
export function manualSeed(seed: number): void {
  checkSeed('manualSeed', seed);
  globalRng = new RandomState(seed);
}
/**
 * The global generator: the one rand, randn, dropout and the layers' initial weights draw from when no `rng` is given.
 * {@link manualSeed} replaces it, so ask for it after seeding.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * defaultRng().random() // 0.548814
 * ```
 */
export const defaultRng = (): RandomState => globalRng;
