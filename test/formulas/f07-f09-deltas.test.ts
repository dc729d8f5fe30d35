// F7–F9 (document 001): the output delta under each loss, the hidden delta, and the accumulated Δ.
// δ is read from the graph: retainGrad() on a pre-activation z keeps ∂loss/∂z after backward().
// The expected deltas are the documents' formulas, computed by hand (plain loops, hand forward pass).
import { describe, expect, it } from 'vitest';
import { nn, RandomState, type Tensor } from '../../src/index.ts';
import { T, dot, flat, gradOf, leaf, mapM, randLabels, randMat, sigma, zip, type Mat } from './helpers.ts';
import { expectClose } from '../expect-close.ts';

/** A two-layer sigmoid net on the engine, its output pre-activation z(L) kept for reading δ(L). */
function engineNet(X: Mat, W1: Mat, W2: Mat) {
  const w1 = leaf(W1), w2 = leaf(W2);
  const z1 = leaf(X, false).matmul(w1).retainGrad();
  const a1 = z1.sigmoid();
  const zL = a1.matmul(w2).retainGrad();
  const aL = zL.sigmoid();
  return { w1, w2, z1, zL, aL };
}

/** The same forward pass by hand. */
function handNet(X: Mat, W1: Mat, W2: Mat) {
  const z1 = dot(X, W1), a1 = mapM(z1, sigma);
  const zL = dot(a1, W2), aL = mapM(zL, sigma);
  return { z1, a1, zL, aL };
}

/** The losses of the documents, each given the output activation a(L) (or its pre-activation z(L)) and y. */
const summedLogLoss = (a: Tensor, y: Tensor): Tensor => y.mul(a.log()).add(y.neg().add(1).mul(a.neg().add(1).log())).sum().neg();
const halfSquaredError = (a: Tensor, y: Tensor): Tensor => y.sub(a).pow(2).sum().mul(0.5);

const cases = [
  { seed: 7, m: 6, n: 3, hidden: 4, k: 1 },
  { seed: 8, m: 5, n: 2, hidden: 3, k: 2 },
  { seed: 9, m: 10, n: 4, hidden: 5, k: 3 },
  { seed: 10, m: 1, n: 3, hidden: 2, k: 1 },
];
function* nets() {
  for (const c of cases) {
    const rng = new RandomState(c.seed);
    yield { ...c, X: randMat(rng, c.m, c.n, -2, 2), y: randLabels(rng, c.m, c.k), W1: randMat(rng, c.n, c.hidden), W2: randMat(rng, c.hidden, c.k, -2, 2) };
  }
}

describe('F7–F9: output and hidden deltas (document 001)', () => {
  it('F7: with log loss, δ(L) = ∂loss/∂z(L) = a(L) − y', () => {
    for (const { X, y, W1, W2, m, k } of nets()) {
      const { aL } = handNet(X, W1, W2);
      const want = flat(zip(aL, y, (a, yy) => a - yy)); // δ(L) = a(L) − y
      const losses: [string, (e: ReturnType<typeof engineNet>) => Tensor][] = [
        ['summed log loss built from log/mul/sum', (e) => summedLogLoss(e.aL, leaf(y, false))],
        ['nn.bceLoss sum', (e) => nn.bceLoss(e.aL, leaf(y, false), { reduction: 'sum' })],
        ['nn.bceWithLogitsLoss sum', (e) => nn.bceWithLogitsLoss(e.zL, leaf(y, false), { reduction: 'sum' })],
      ];
      for (const [name, loss] of losses) {
        const e = engineNet(X, W1, W2);
        loss(e).backward();
        expectClose(gradOf(e.zL), want, { rtol: 1e-12 }, `F7 ${name}`);
      }
      // with the mean over the m·k outputs, the same delta divided by the count
      const e = engineNet(X, W1, W2);
      nn.bceLoss(e.aL, leaf(y, false), { reduction: 'mean' }).backward();
      expectClose(gradOf(e.zL), want.map((d) => d / (m * k)), { rtol: 1e-12 }, 'F7 nn.bceLoss mean');
    }
  });

  it('F8: with squared loss ½Σ(y − a)², δ(L) = (a(L) − y) .* a(L) .* (1 − a(L))', () => {
    for (const { X, y, W1, W2 } of nets()) {
      const { aL } = handNet(X, W1, W2);
      const want = flat(mapM(aL, (a, i, j) => (a - y[i][j]) * a * (1 - a)));
      const losses: [string, (e: ReturnType<typeof engineNet>) => Tensor][] = [
        ['½Σ(y − a)² built from sub/pow/sum', (e) => halfSquaredError(e.aL, leaf(y, false))],
        ['nn.mseLoss sum ×½', (e) => nn.mseLoss(e.aL, leaf(y, false), { reduction: 'sum' }).mul(0.5)],
      ];
      for (const [name, loss] of losses) {
        const e = engineNet(X, W1, W2);
        loss(e).backward();
        expectClose(gradOf(e.zL), want, { rtol: 1e-12 }, `F8 ${name}`);
      }
      // and F7 ≠ F8: the two deltas differ by the factor a(1 − a) < 1
      const f7 = flat(zip(aL, y, (a, yy) => a - yy));
      want.forEach((d, i) => expect(Math.abs(d)).toBeLessThan(Math.abs(f7[i])));
    }
  });

  it('F9: δ(l) = (Θ(l))ᵀ δ(l+1) .* g\'(z(l)), and Δ(l) += δ(l+1)(a(l))ᵀ over the four XOR examples gives the batch gradient', () => {
    const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], y = [[0], [1], [1], [0]];
    for (const seed of [0, 1, 2, 3, 4]) {
      const rng = new RandomState(seed);
      const W1 = mapM(randMat(rng, 3, 4, 0, 1), (u) => 2 * u - 1), W2 = mapM(randMat(rng, 4, 1, 0, 1), (u) => 2 * u - 1);
      const Theta1 = T(W1), Theta2 = T(W2); // Ng's Θ(l): one row per unit of layer l+1
      for (const [lossName, loss, outputDelta] of [
        ['log loss', summedLogLoss, (a: number, yy: number) => a - yy],
        ['½ squared error', halfSquaredError, (a: number, yy: number) => (a - yy) * a * (1 - a)],
      ] as const) {
        const e = engineNet(X, W1, W2);
        loss(e.aL, leaf(y, false)).backward();

        // by hand, one example at a time, as document 001's Algorithms 1–2
        const Delta1: Mat = Theta1.map((r) => r.map(() => 0)), Delta2: Mat = Theta2.map((r) => r.map(() => 0));
        const d2all: number[] = [], d1all: number[] = [];
        for (let i = 0; i < 4; i++) {
          const a1 = X[i]; // a(1) = x(i)
          const z2 = Theta1.map((row) => row.reduce((s, t, p) => s + t * a1[p], 0)), a2 = z2.map(sigma);
          const z3 = Theta2.map((row) => row.reduce((s, t, j) => s + t * a2[j], 0)), a3 = z3.map(sigma);
          const delta3 = a3.map((a, k) => outputDelta(a, y[i][k]));
          const gprime = z2.map((z) => sigma(z) * (1 - sigma(z)));
          const delta2 = a2.map((_, j) => Theta2.reduce((s, row, k) => s + row[j] * delta3[k], 0) * gprime[j]); // (Θ(2))ᵀδ(3) .* g'(z(2))
          for (let k = 0; k < delta3.length; k++) for (let j = 0; j < a2.length; j++) Delta2[k][j] += delta3[k] * a2[j];
          for (let j = 0; j < delta2.length; j++) for (let p = 0; p < a1.length; p++) Delta1[j][p] += delta2[j] * a1[p];
          d2all.push(...delta3); d1all.push(...delta2);
        }
        expectClose(gradOf(e.zL), d2all, { rtol: 1e-12 }, `${lossName} seed ${seed}: δ(3)`);
        expectClose(gradOf(e.z1), d1all, { rtol: 1e-12 }, `${lossName} seed ${seed}: hidden δ(2)`);
        // Our weights are stored [in, out] = Θᵀ, so W.grad is Δᵀ.
        expectClose(gradOf(e.w2), flat(T(Delta2)), { rtol: 1e-12 }, `${lossName} seed ${seed}: Δ(2)`);
        expectClose(gradOf(e.w1), flat(T(Delta1)), { rtol: 1e-12 }, `${lossName} seed ${seed}: Δ(1)`);

        // The engine does the same accumulation: one backward() per example adds into .grad.
        const w1 = leaf(W1), w2 = leaf(W2);
        for (let i = 0; i < 4; i++) loss(leaf([X[i]], false).matmul(w1).sigmoid().matmul(w2).sigmoid(), leaf([y[i]], false)).backward();
        expectClose(gradOf(w1), gradOf(e.w1), { rtol: 1e-12 }, `${lossName} seed ${seed}: per-example accumulation, W1`);
        expectClose(gradOf(w2), gradOf(e.w2), { rtol: 1e-12 }, `${lossName} seed ${seed}: per-example accumulation, W2`);
      }
    }
  });
});
