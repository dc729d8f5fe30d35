// Plain-TypeScript helpers for the formula tests: hand arithmetic on number[][] (never the engine),
// random data from a seeded RandomState, and a symmetric eigen-solver for F13 (closeness: ../expect-close.ts).
import { expect } from 'vitest';
import { RandomState, Tensor } from '../../src/index.ts';

export type Mat = number[][];

/** σ(z) = 1/(1+e^-z), written as the documents write it. */
export const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

/** An m×n matrix with entries uniform in [lo, hi), drawn row-major from rng. */
export function randMat(rng: RandomState, m: number, n: number, lo = -1, hi = 1): Mat {
  const u = rng.uniform(lo, hi, [m, n]);
  return Array.from({ length: m }, (_, i) => Array.from(u.subarray(i * n, (i + 1) * n)));
}

/** An m×n matrix of labels in {0, 1}. */
export function randLabels(rng: RandomState, m: number, n = 1): Mat {
  return randMat(rng, m, n, 0, 1).map((r) => r.map((v) => (v < 0.5 ? 0 : 1)));
}

export const T = (A: Mat): Mat => A[0].map((_, j) => A.map((r) => r[j]));
export function dot(A: Mat, B: Mat): Mat {
  return A.map((r) => B[0].map((_, j) => r.reduce((s, a, k) => s + a * B[k][j], 0)));
}
export const mapM = (A: Mat, f: (v: number, i: number, j: number) => number): Mat => A.map((r, i) => r.map((v, j) => f(v, i, j)));
export const zip = (A: Mat, B: Mat, f: (a: number, b: number) => number): Mat => mapM(A, (a, i, j) => f(a, B[i][j]));
export const flat = (A: Mat): number[] => A.flat();

/** A leaf tensor holding a copy of A. */
export const leaf = (A: Mat, requiresGrad = true): Tensor =>
  Tensor.from(Float64Array.from(A.flat()), [A.length, A[0].length], { requiresGrad });

/** The gradient a backward() left on t, as a plain array. */
export function gradOf(t: Tensor): number[] {
  expect(t.grad, 'expected a gradient after backward()').not.toBeNull();
  return Array.from(t.grad!.data);
}

/**
 * Eigenvalues of a symmetric matrix by the cyclic Jacobi method: rotate away the off-diagonal entries
 * one pair at a time until they are negligible; the diagonal is then the spectrum (sorted ascending).
 */
export function symEig(S: Mat): number[] {
  const n = S.length;
  const A = S.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, norm = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      norm += A[i][j] ** 2;
      if (i !== j) off += A[i][j] ** 2;
    }
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) {
      if (A[p][q] === 0) continue;
      // Choose the rotation angle θ with tan 2θ = 2A_pq / (A_qq − A_pp); t = tan θ, the smaller root.
      const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) { // A ← A·J
        const akp = A[k][p], akq = A[k][q];
        A[k][p] = c * akp - s * akq;
        A[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) { // A ← Jᵀ·A
        const apk = A[p][k], aqk = A[q][k];
        A[p][k] = c * apk - s * aqk;
        A[q][k] = s * apk + c * aqk;
      }
    }
  }
  return A.map((r, i) => r[i]).sort((a, b) => a - b);
}

// The documents' XOR data and program (document 001), for F10 and F12.
export const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
export const y = [[0], [1], [1], [0]];

/** syn0 = 2*np.random.random((3,4)) - 1; syn1 = 2*np.random.random((4,1)) - 1, after np.random.seed(seed). */
export function numpyInit(seed: number): { syn0: Mat; syn1: Mat } {
  const rng = new RandomState(seed);
  const syn0 = mapM(randMat(rng, 3, 4, 0, 1), (u) => 2 * u - 1);
  const syn1 = mapM(randMat(rng, 4, 1, 0, 1), (u) => 2 * u - 1);
  return { syn0, syn1 };
}

/** One pass of the documents' loop body. `marked` picks the ###### line: the original, or Ng's `y − l2`. */
export function numpyStep(syn0: Mat, syn1: Mat, marked: 'squared' | 'log'): { syn0: Mat; syn1: Mat } {
  const l1 = mapM(dot(X, syn0), (v) => 1 / (1 + Math.exp(-v)));
  const l2 = mapM(dot(l1, syn1), (v) => 1 / (1 + Math.exp(-v)));
  const l2_delta = marked === 'squared'
    ? zip(zip(y, l2, (a, b) => a - b), mapM(l2, (v) => v * (1 - v)), (a, b) => a * b) // (y - l2)*(l2*(1-l2))
    : zip(y, l2, (a, b) => a - b); // y - l2
  const l1_delta = zip(dot(l2_delta, T(syn1)), mapM(l1, (v) => v * (1 - v)), (a, b) => a * b);
  return {
    syn1: zip(syn1, dot(T(l1), l2_delta), (a, b) => a + b), // syn1 += l1.T.dot(l2_delta)
    syn0: zip(syn0, dot(T(X), l1_delta), (a, b) => a + b), // syn0 += X.T.dot(l1_delta)
  };
}

