import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemm, packedProduct } from '../src/tensor/gemm.ts';
import { startHelper } from '../src/tensor/gemm-module.ts';
import { getNumThreads, helperChunks, helperReady, measured, setNumThreads, splitNext, useHelper } from '../src/tensor/gemm-thread.ts';
import { expectClose } from './expect-close.ts';

/** Deterministic LCG in [-1, 1). */
function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomArray(n: number, rng: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng();
  return a;
}

/** Straightforward reference with the same addressing contract as gemm. */
function reference(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[aOff + i * aRow + k * aCol] * B[bOff + k * bRow + j * bCol];
      C[cOff + i * N + j] += s;
    }
  }
}

interface Case { M: number; N: number; K: number; tA: boolean; tB: boolean; aOff: number; bOff: number; cOff: number; accumulate: boolean }

/**
 * Runs gemm and the reference on the same data; checks C (including untouched padding) to 5e-13·(√K + |want|),
 * within the 1e-12·max(√K, |want|) this check had: rounding grows with K.
 */
function check({ M, N, K, tA, tB, aOff, bOff, cOff, accumulate }: Case, seed: number): void {
  const rng = makeRng(seed);
  // op(A) is M×K: stored M×K row-major, or K×M row-major when transposed (same for B).
  const [aRow, aCol] = tA ? [1, M] : [K, 1];
  const [bRow, bCol] = tB ? [1, K] : [N, 1];
  const A = randomArray(aOff + M * K + 3, rng);
  const B = randomArray(bOff + K * N + 3, rng);
  const C0 = accumulate ? randomArray(cOff + M * N + 3, rng) : new Float64Array(cOff + M * N + 3);
  const got = C0.slice();
  const want = C0.slice();
  gemm(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, got, cOff);
  reference(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, want, cOff);
  expectClose(got, want, { rtol: 5e-13, atol: 5e-13 * Math.sqrt(K) }, `M=${M} N=${N} K=${K} tA=${tA} tB=${tB}: C`);
}

const transposes: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const tName = (tA: boolean, tB: boolean) => `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;

// Small products (plain loop), M = 1 and N = 1 (vector paths: rows combined or dot products, depending on
// which operand is transposed), K = 1 (outer product), a few rows (B copied unpacked), and packed products,
// with odd sizes, sizes around the vector kernels' chunks (16 columns, 8 and 2 values of k) and block edges.
const shapes: [number, number, number][] = [
  [1, 1, 1], [2, 2, 2], [4, 3, 3], [3, 4, 4], [4, 4, 4], [5, 7, 3], [13, 9, 17], [7, 5, 13],
  [1, 17, 9], [17, 1, 9], [9, 17, 1], [1, 1, 300], [2, 3, 1], [8, 6, 16], [16, 16, 16],
  [33, 31, 29], [64, 10, 128], [10, 64, 128], [37, 41, 300], [6, 5, 513], [100, 3, 257],
  [1, 10, 784], [1, 128, 10], [1, 16, 8], [1, 15, 9], [1, 33, 17], [1, 7, 2], [1, 3, 65], [1, 2, 3],
  [10, 1, 784], [128, 1, 10], [33, 1, 17], [3, 1, 65], [7, 1, 2],
  [784, 10, 1], [10, 128, 1], [3, 5, 1], [31, 17, 1], [1, 9, 1], [9, 1, 1],
  [2, 40, 30], [4, 128, 100], [15, 33, 47], [16, 20, 30],
];

describe('gemm', () => {
  for (const [tA, tB] of transposes) {
    describe(tName(tA, tB), () => {
      for (const [M, N, K] of shapes) {
        it(`${M}×${K} · ${K}×${N}`, () => {
          check({ M, N, K, tA, tB, aOff: 0, bOff: 0, cOff: 0, accumulate: false }, M * 1000 + N * 10 + K);
        });
      }
      it('honours nonzero offsets and accumulates into a nonzero C', () => {
        for (const [M, N, K] of [[1, 1, 1], [5, 7, 3], [13, 9, 17], [37, 41, 300], [1, 20, 20]]) {
          check({ M, N, K, tA, tB, aOff: 5, bOff: 11, cOff: 7, accumulate: true }, M + N + K);
        }
      });
    });
  }

  it('matches a 256³ product in all transpose combinations', () => {
    for (const [tA, tB] of transposes) {
      check({ M: 256, N: 256, K: 256, tA, tB, aOff: 1, bOff: 2, cOff: 3, accumulate: true }, 42);
    }
  });

  it('leaves C unchanged when K, M or N is 0', () => {
    const C = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const A = Float64Array.from([1, 2, 3]);
    const B = Float64Array.from([4, 5, 6]);
    gemm(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, C, 0);
    gemm(0, 3, 1, A, 0, 1, 1, B, 0, 3, 1, C, 0);
    gemm(2, 0, 1, A, 0, 1, 1, B, 0, 3, 1, C, 0);
    expect(Array.from(C)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('computes a small product exactly', () => {
    // [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]], added to C = [[1,1],[1,1]].
    const C = new Float64Array([1, 1, 1, 1]);
    gemm(2, 2, 2, Float64Array.of(1, 2, 3, 4), 0, 2, 1, Float64Array.of(5, 6, 7, 8), 0, 2, 1, C, 0);
    expect(Array.from(C)).toEqual([20, 23, 44, 51]);
  });

  it('gives the same result when called again after a larger product (scratch reuse)', () => {
    check({ M: 300, N: 200, K: 600, tA: false, tB: true, aOff: 0, bOff: 0, cOff: 0, accumulate: false }, 7);
    check({ M: 5, N: 7, K: 9, tA: true, tB: false, aOff: 1, bOff: 1, cOff: 1, accumulate: true }, 8);
  });
});

describe('gemm vector paths across their blocks', () => {
  // M = 1, N > 1024 columns and K > 256 rows per block; the same for N = 1 (A transposed or not).
  for (const [M, N, K] of [[1, 1029, 600], [1029, 1, 600], [1, 200, 3000], [200, 1, 3000], [1, 2, 70000], [2, 1, 70000]]) {
    for (const [tA, tB] of transposes) {
      it(`${M}×${K} · ${K}×${N}, ${tName(tA, tB)}`, () => {
        check({ M, N, K, tA, tB, aOff: 3, bOff: 5, cOff: 2, accumulate: true }, M + N + K);
      });
    }
  }
  it('an outer product over more than one block of rows and columns', () => {
    for (const [tA, tB] of transposes) check({ M: 300, N: 1100, K: 1, tA, tB, aOff: 1, bOff: 2, cOff: 3, accumulate: true }, 9);
  });
  it('a few rows with an unpacked B wider than a block', () => {
    for (const [tA, tB] of transposes) check({ M: 5, N: 1030, K: 300, tA, tB, aOff: 1, bOff: 2, cOff: 3, accumulate: true }, 10);
  });
});

describe('gemm with strides that are not a plain transpose', () => {
  // Every other value of a larger buffer (a strided view): no side is unit-stride, so packing gathers. The last
  // is an outer product whose strided row is gathered by blocks, being wider than the module's region B.
  for (const [M, N, K] of [[5, 7, 9], [1, 20, 30], [20, 1, 30], [30, 20, 1], [40, 30, 50], [3, 300, 70], [2, 262_149, 1]]) {
    it(`${M}×${K} · ${K}×${N}`, () => {
      const rng = makeRng(M * 7 + N * 3 + K);
      const A = randomArray(4 * M * K + 10, rng), B = randomArray(4 * K * N + 10, rng);
      const got = randomArray(M * N, rng), want = got.slice();
      gemm(M, N, K, A, 1, 2, 2 * M, B, 3, 2 * N, 2, got, 0); // op(A) read down columns of a 2M-wide matrix
      reference(M, N, K, A, 1, 2, 2 * M, B, 3, 2 * N, 2, want, 0);
      expectClose(got, want, { rtol: 5e-13, atol: 5e-13 * Math.sqrt(K) }, 'C');
    });
  }
});

describe('gemm with non-finite values', () => {
  // Kernels read whole chunks past the end of a row (into padding); an infinity in a neighbouring row or column
  // must reach only the outputs whose sums contain it, never a neighbour as 0·∞ = NaN.
  for (const [M, N, K] of [[1, 10, 9], [1, 12, 31], [9, 1, 12], [12, 1, 9], [7, 9, 1], [5, 6, 7], [21, 18, 19]]) {
    for (const [tA, tB] of transposes) {
      it(`${M}×${K} · ${K}×${N}, ${tName(tA, tB)}: ∞ and NaN stay in their own outputs`, () => {
        const rng = makeRng(M * N * K);
        const [aRow, aCol] = tA ? [1, M] : [K, 1];
        const [bRow, bCol] = tB ? [1, K] : [N, 1];
        const A = randomArray(M * K, rng), B = randomArray(K * N, rng);
        // op(A)[M-1, K-1] = ∞ spoils row M-1; op(B)[0, 0] = −∞ and op(B)[K-1, N-1] = NaN spoil columns 0 and N-1.
        if (M > 1) A[(M - 1) * aRow + (K - 1) * aCol] = Infinity;
        if (N > 1) { B[0] = -Infinity; B[(K - 1) * bRow + (N - 1) * bCol] = NaN; }
        const got = new Float64Array(M * N), want = new Float64Array(M * N);
        gemm(M, N, K, A, 0, aRow, aCol, B, 0, bRow, bCol, got, 0);
        reference(M, N, K, A, 0, aRow, aCol, B, 0, bRow, bCol, want, 0);
        expectClose(got, want, { rtol: 5e-13, atol: 5e-13, equalNaN: true }, 'C'); // an infinity or NaN only where the reference has it
        expect(want.some((v) => Number.isFinite(v))).toBe(true);
        expect(want.some((v) => !Number.isFinite(v))).toBe(true);
      });
    }
  }
});

describe('gemm across block boundaries', () => {
  it('matches the reference when M, N and K each span more than one block (MC = KC = 256, NC = 1024)', () => {
    let seed = 12345;
    const rnd = (n: number): Float64Array => Float64Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5);
    const [M, N, K] = [261, 1029, 259];
    const A = rnd(M * K), B = rnd(K * N), C = rnd(M * N), want = Float64Array.from(C);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[i * N + j] += A[i * K + k] * B[k * N + j];
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0);
    expectClose(C, want, { rtol: 1e-12, atol: 1e-12 }, 'C');
  });
});

describe('gemm split with the helper thread', () => {
  // Blocks of at least 2^16 tile steps are split: by rows when there are more tile rows than columns, else by
  // columns (a few rows with an unpacked B, or a packed B).
  const big: [number, number, number][] = [[256, 256, 256], [300, 70, 400], [8, 1024, 256], [20, 800, 300]];

  // 'always': no backing off when the helper lags on a busy machine, so that every large block is split.
  beforeAll(() => useHelper('always'));
  afterAll(() => useHelper('auto'));

  it('starts in Node', async () => {
    expect(await startHelper()).toBe(true);
  });

  for (const [M, N, K] of big) {
    it(`${M}×${K} · ${K}×${N} in all transpose combinations`, async () => {
      expect(await startHelper()).toBe(true);
      for (const [tA, tB] of transposes) check({ M, N, K, tA, tB, aOff: 3, bOff: 1, cOff: 2, accumulate: true }, M + N + K);
    });
  }

  it('runs chunks of every split block on the helper thread too', async () => {
    expect(await startHelper()).toBe(true);
    const rng = makeRng(7);
    const [M, N, K] = [256, 256, 256]; // one block of 64×64 tiles, split in 16 chunks of 4 tile rows
    const A = randomArray(M * K, rng), B = randomArray(K * N, rng);
    for (let i = 0; i < 3; i++) {
      const before = helperChunks();
      gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, new Float64Array(M * N), 0);
      expect(helperChunks() - before).toBeGreaterThanOrEqual(1);
      expect(helperChunks() - before).toBeLessThanOrEqual(16);
    }
  });

  it('gives bit-identical results with and without the helper', async () => {
    expect(await startHelper()).toBe(true);
    const rng = makeRng(5);
    for (const [M, N, K] of big) {
      const A = randomArray(M * K, rng), B = randomArray(K * N, rng), C0 = randomArray(M * N, rng);
      const run = (helper: boolean): Float64Array => {
        useHelper(helper ? 'always' : 'off');
        const C = C0.slice();
        gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0);
        return C;
      };
      const one = run(false), two = run(true);
      expect(Array.from(two)).toEqual(Array.from(one));
    }
  });
});

describe('whether a large block is split: measured, not assumed', () => {
  afterAll(() => useHelper('auto'));
  const next16 = (): number => Array.from({ length: 16 }, () => splitNext()).filter(Boolean).length;

  it('runs one thread first, then two, then whichever was faster, the other one block in 16', () => {
    useHelper('auto');
    expect(splitNext()).toBe(false); // nothing measured: one thread first
    measured(false, 1.0, 1000);
    expect(splitNext()).toBe(true); // then two
    measured(true, 0.6, 1000);
    expect(next16()).toBe(15); // two threads faster: split all but one in 16
    for (let i = 0; i < 20; i++) measured(true, 2.0, 1000); // the helper's core got busy
    expect(next16()).toBe(1); // one thread now, two threads tried once in 16
    for (let i = 0; i < 20; i++) measured(true, 0.5, 1000); // and free again
    expect(next16()).toBe(15);
  });

  it("compares time per tile step, so blocks of other sizes count alike; 'always' splits every block", () => {
    useHelper('auto');
    measured(false, 1.0, 1000);
    measured(true, 4.0, 8000); // half the time per step
    expect(next16()).toBe(15);
    useHelper('always');
    expect(next16()).toBe(16);
  });
});

describe('setNumThreads: the public switch of the helper thread (torch.set_num_threads)', () => {
  afterAll(() => setNumThreads(2));

  it('1 keeps every product on this thread; 2 (or more) lets large blocks be split again', async () => {
    expect(await startHelper()).toBe(true);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    // What tiles() asks before splitting a block (the helper has started, so the module and memory are not read).
    expect(helperReady({}, {})).toBe(false);
    setNumThreads(4); // more than the engine uses: two
    expect(getNumThreads()).toBe(2);
    expect(helperReady({}, {})).toBe(true);
  });

  it('gives the same products, bit for bit, with one thread and with two', async () => {
    expect(await startHelper()).toBe(true);
    const rng = makeRng(11), [M, N, K] = [256, 256, 256];
    const A = randomArray(M * K, rng), B = randomArray(K * N, rng);
    const run = (threads: number): number[] => {
      setNumThreads(threads);
      const C = new Float64Array(M * N);
      gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0);
      return Array.from(C);
    };
    expect(run(2)).toEqual(run(1));
  });

  it.each([0, 1.5, -1, NaN, '2', null])('refuses %s', (n) => {
    expect(() => setNumThreads(n as number)).toThrow(/^setNumThreads: expected an integer ≥ 1/);
  });
});

describe('packedProduct: one B packed once for many products', () => {
  // op(B) [K×N] stored as B [K, N] (rows k) or as its transpose [N, K] (W_hh read as W_hhᵀ), against gemm.
  const cases: [string, number, number, boolean][] = [
    ['a recurrence step: K 64, N 256, B read transposed', 64, 256, true],
    ['its backward: K 256, N 64', 256, 64, false],
    ['K over two blocks (600), N not a multiple of 4 (37)', 600, 37, true],
    ['N wider than a block (1030): a gemm each time', 8, 1030, false],
    ['tiny (N·K ≤ 64): a gemm each time', 4, 8, true],
  ];
  it.each(cases)('%s: equal to gemm, bit for bit, for every A, with other products between', (_, K, N, transposed) => {
    const rng = makeRng(K * 1000 + N), B = randomArray(K * N + 3, rng);
    const [bRow, bCol] = transposed ? [1, K] : [N, 1];
    const times = packedProduct(N, K, B, 3, bRow, bCol);
    for (const M of [16, 1, 5, 300, 16]) {
      const A = randomArray(M * K, rng), C0 = randomArray(M * N, rng);
      const got = Float64Array.from(C0), want = Float64Array.from(C0);
      times(M, A, 0, K, 1, got, 0);
      gemm(M, N, K, A, 0, K, 1, B, 3, bRow, bCol, want, 0); // another product: the next call packs B again
      expect(Array.from(got)).toEqual(Array.from(want));
      times(M, A, 0, K, 1, got.fill(0), 0);
      times(M, A, 0, K, 1, got, 0); // reusing the packing: twice the product
      gemm(M, N, K, A, 0, K, 1, B, 3, bRow, bCol, want.fill(0), 0);
      gemm(M, N, K, A, 0, K, 1, B, 3, bRow, bCol, want, 0);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
  it('two packed Bs in turn each pack again when the other has written over region B', () => {
    const rng = makeRng(7), B1 = randomArray(64 * 32, rng), B2 = randomArray(64 * 32, rng), A = randomArray(16 * 64, rng);
    const p1 = packedProduct(32, 64, B1, 0, 32, 1), p2 = packedProduct(32, 64, B2, 0, 32, 1);
    const got1 = new Float64Array(16 * 32), got2 = new Float64Array(16 * 32), want1 = new Float64Array(16 * 32), want2 = new Float64Array(16 * 32);
    p1(16, A, 0, 64, 1, got1, 0);
    p2(16, A, 0, 64, 1, got2, 0);
    p1(16, A, 0, 64, 1, got1, 0);
    reference(16, 32, 64, A, 0, 64, 1, B1, 0, 32, 1, want1, 0);
    reference(16, 32, 64, A, 0, 64, 1, B1, 0, 32, 1, want1, 0);
    reference(16, 32, 64, A, 0, 64, 1, B2, 0, 32, 1, want2, 0);
    expectClose(got1, want1, { atol: 1e-12 });
    expectClose(got2, want2, { atol: 1e-12 });
  });
});
