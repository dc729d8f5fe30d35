// F13 (document 002, comments): log loss is convex in θ for logistic regression; squared error through a
// sigmoid is not. Exact Hessians from the engine (hessian(): the gradient taken with createGraph, differentiated
// again), checked against the closed forms written out by hand; eigenvalues by Jacobi rotations.
import { describe, expect, it } from 'vitest';
import { hessian, nn, RandomState, Tensor } from '../../src/index.ts';
import { expectClose, maxAbs } from '../expect-close.ts';
import { leaf, randLabels, randMat, sigma, symEig, type Mat } from './helpers.ts';

// A small data set: 8 examples, two random features and a bias column of ones; random labels.
const rng = new RandomState(13);
const X: Mat = randMat(rng, 8, 2, -2, 2).map((r) => [...r, 1]);
const y: Mat = randLabels(rng, 8);
const m = X.length, n = X[0].length;

type Loss = 'log' | 'squared';

/** J(θ) = (1/m)Σ −[y log h + (1−y) log(1−h)] or (1/m)Σ ½(y − h)², h = σ(Xθ), built with the engine. */
function loss(th: Tensor, kind: Loss): Tensor {
  const h = leaf(X, false).matmul(th).sigmoid(), yt = leaf(y, false);
  return kind === 'log'
    ? yt.mul(h.log()).add(yt.neg().add(1).mul(h.neg().add(1).log())).mean().neg()
    : yt.sub(h).pow(2).mul(0.5).mean();
}

/** The exact Hessian of J at θ, from the engine, as an n×n matrix. */
function engineHessian(theta: number[], kind: Loss): Mat {
  const H = hessian((th) => loss(th, kind), Tensor.from(Float64Array.from(theta), [n, 1]));
  expect(H.shape).toEqual([n, 1, n, 1]);
  return Array.from({ length: n }, (_, i) => Array.from(H.data.subarray(i * n, (i + 1) * n)));
}

/** The closed forms, by hand: log loss (1/m) Xᵀ diag(h(1−h)) X; squared error (1/m) Σ [σ'² + (h − y)σ''] x xᵀ. */
function closedForm(theta: number[], loss: Loss): Mat {
  const H = theta.map(() => theta.map(() => 0));
  X.forEach((x, k) => {
    const h = sigma(x.reduce((s, xj, j) => s + xj * theta[j], 0));
    const s1 = h * (1 - h), s2 = s1 * (1 - 2 * h); // σ', σ''
    const w = loss === 'log' ? h * (1 - h) : s1 * s1 + (h - y[k][0]) * s2;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i][j] += (x[i] * w * x[j]) / m;
  });
  return H;
}

// Found offline by a scratch search over θ ∈ [−4, 4]³ (2000 points, the Hessian above, most negative λ_min):
// every prediction is between 0.86 and 0.95 while six of the eight labels are 0, so the term (h − y)σ'' < 0
// of the closed form below outweighs σ'².
// There all three eigenvalues are negative (≈ −0.0869, −0.0494, −0.0314): squared error is locally concave.
const CONCAVE_POINT = [-0.1, 0.32, 2.3];

describe('F13: convexity of the two losses for logistic regression (document 002)', () => {
  it('helper: the Jacobi eigen-solver recovers a known spectrum', () => {
    const c = Math.cos(0.7), s = Math.sin(0.7);
    const Q = [[c, -s, 0], [s, c, 0], [0, 0, 1]], d = [-2, 0.5, 3];
    const A = Q.map((_, i) => Q.map((__, j) => d.reduce((acc, dk, k) => acc + Q[i][k] * dk * Q[j][k], 0)));
    expectClose(symEig(A), d, { rtol: 5e-13, atol: 5e-13 }, 'eigenvalues');
  });

  it('F13: log loss: Hessian (1/m) Xᵀ diag(h(1−h)) X, positive semi-definite at every point tried', () => {
    const pts = new RandomState(1313);
    const points = [[0, 0, 0], CONCAVE_POINT, [8, -8, 3], ...Array.from({ length: 20 }, () => Array.from(pts.uniform(-6, 6, [n])))];
    const lows: number[] = [];
    for (const theta of points) {
      const H = engineHessian(theta, 'log'), want = closedForm(theta, 'log');
      expectClose(H.flat(), want.flat(), { atol: 1e-13 * maxAbs(want.flat()) }, `Hessian at θ = [${theta}]`);
      const low = symEig(H)[0];
      lows.push(low);
      expect(low, `λ_min at θ = [${theta}]`).toBeGreaterThanOrEqual(-1e-8);
    }
    console.log(`F13 log loss: smallest λ_min over ${points.length} points = ${Math.min(...lows).toExponential(3)}`);
  });

  it('F13: squared error through a sigmoid: the Hessian has a clearly negative eigenvalue (not convex)', () => {
    const H = engineHessian(CONCAVE_POINT, 'squared');
    expectClose(H.flat(), closedForm(CONCAVE_POINT, 'squared').flat(), { atol: 1e-13 * maxAbs(H.flat()) }, 'squared-error Hessian');
    const ev = symEig(H);
    console.log(`F13 squared error at θ = [${CONCAVE_POINT}]: eigenvalues ${ev.map((v) => v.toFixed(5)).join(', ')}`);
    expect(ev[0]).toBeLessThan(-0.05);
    // and yet at the same point the log loss is convex
    expect(symEig(engineHessian(CONCAVE_POINT, 'log'))[0]).toBeGreaterThan(0);
    // while near θ = 0 squared error is still convex: non-convexity is a property of some regions, not all
    expect(symEig(engineHessian([0, 0, 0], 'squared'))[0]).toBeGreaterThan(0);
  });

  it('F13: the documents\' XOR net (16 weights): both losses\' exact Hessians are symmetric and match finite differences of the gradient; squared error has a negative eigenvalue at the start', () => {
    const rng = new RandomState(1); // np.random.seed(1): syn0, syn1 = 2·random − 1
    const w0 = Tensor.from(rng.uniform(-1, 1, [3, 4]), [3, 4]), w1 = Tensor.from(rng.uniform(-1, 1, [4, 1]), [4, 1]);
    const Xx = leaf([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], false), Y = leaf([[0], [1], [1], [0]], false);
    const z = (a: Tensor, b: Tensor): Tensor => Xx.matmul(a).sigmoid().matmul(b);
    const losses = {
      squared: (a: Tensor, b: Tensor): Tensor => nn.mseLoss(z(a, b).sigmoid(), Y, { reduction: 'sum' }).mul(0.5),
      log: (a: Tensor, b: Tensor): Tensor => nn.bceWithLogitsLoss(z(a, b), Y, { reduction: 'sum' }),
    };
    const full = (blocks: Tensor[][]): Mat => { // the 16×16 matrix from the four blocks, weights in order syn0, syn1
      const sizes = [12, 4], H: Mat = Array.from({ length: 16 }, () => new Array<number>(16).fill(0));
      blocks.forEach((row, i) => row.forEach((blk, j) => {
        for (let p = 0; p < sizes[i]; p++) for (let q = 0; q < sizes[j]; q++) H[i * 12 + p][j * 12 + q] = blk.data[p * sizes[j] + q];
      }));
      return H;
    };
    const flatGrad = (kind: 'squared' | 'log', a0: Float64Array, b0: Float64Array): number[] => {
      const a = Tensor.from(a0, [3, 4], { requiresGrad: true }), b = Tensor.from(b0, [4, 1], { requiresGrad: true });
      losses[kind](a, b).backward();
      return [...a.grad!.data, ...b.grad!.data];
    };
    for (const kind of ['squared', 'log'] as const) {
      const H = full(hessian(losses[kind], [w0, w1]));
      for (let i = 0; i < 16; i++) for (let j = 0; j < i; j++) expect(H[i][j]).toBeCloseTo(H[j][i], 14);
      const eps = 1e-6, flat = [...w0.data, ...w1.data];
      for (let j = 0; j < 16; j++) { // column j by central differences of the autograd gradient
        const at = (d: number): number[] => { const w = [...flat]; w[j] += d; return flatGrad(kind, Float64Array.from(w.slice(0, 12)), Float64Array.from(w.slice(12))); };
        const up = at(eps), down = at(-eps);
        expectClose(H.map((r) => r[j]), up.map((u, i) => (u - down[i]) / (2 * eps)), { atol: 1e-7 * maxAbs(H.flat()) }, `${kind} column ${j}`);
      }
      const low = symEig(H)[0];
      console.log(`F13 XOR net, ${kind} loss at the initial weights: smallest Hessian eigenvalue ${low.toExponential(3)}`);
      if (kind === 'squared') expect(low).toBeLessThan(-1e-4);
    }
  });
});
