// F4–F6, F11, F14 (documents 000 and 002): squared error versus log-likelihood, and the signs.
// The engine builds each loss and runs backward(); the expected gradients are the documents' formulas,
// written out by hand in plain TypeScript.
import { describe, expect, it } from 'vitest';
import { RandomState, type Tensor } from '../../src/index.ts';
import { T, dot, flat, gradOf, leaf, mapM, randLabels, randMat, sigma, zip } from './helpers.ts';
import { expectClose } from '../expect-close.ts';

/** Random single examples: x (1×n), θ (n×1), a target y. */
function* examples(seed: number, count: number, target: 'label' | 'real') {
  const rng = new RandomState(seed);
  for (let p = 0; p < count; p++) {
    const n = 1 + (p % 5);
    const x = randMat(rng, 1, n, -2, 2), theta = randMat(rng, n, 1, -1.5, 1.5);
    const y = target === 'label' ? randLabels(rng, 1)[0][0] : rng.uniform(-2, 2, [1])[0];
    yield { x, theta, y, z: x[0].reduce((s, xk, k) => s + xk * theta[k][0], 0) };
  }
}

/** −log P(y|x;θ) = −(y log h + (1−y) log(1−h)) for h = σ(z), with the engine. */
const nll = (h: Tensor, y: number): Tensor => h.log().mul(y).add(h.neg().add(1).log().mul(1 - y)).neg().sum();

describe('F4–F6, F11, F14: squared error, log-likelihood and their gradients (documents 000, 002)', () => {
  it('F4: ∂/∂θ_j ½(y − f(θx))² = −(y − ŷ) f\'(θx) x_j; sigmoid f: −(y − ŷ)ŷ(1 − ŷ)x_j; identity f: −(y − ŷ)x_j', () => {
    for (const { x, theta, y, z } of examples(104, 15, 'label')) {
      // sigmoid f
      const th = leaf(theta);
      const yhatT = leaf(x, false).matmul(th).sigmoid();
      yhatT.neg().add(y).pow(2).mul(0.5).sum().backward();
      const yhat = sigma(z), fprime = sigma(z) * (1 - sigma(z));
      expectClose(gradOf(th), x[0].map((xj) => -(y - yhat) * fprime * xj), { rtol: 1e-12 }, 'general form, f = σ');
      expectClose(gradOf(th), x[0].map((xj) => -(y - yhat) * yhat * (1 - yhat) * xj), { rtol: 1e-12 }, 'f = σ');

      // identity f: ŷ = θx
      const th2 = leaf(theta);
      leaf(x, false).matmul(th2).neg().add(y).pow(2).mul(0.5).sum().backward();
      expectClose(gradOf(th2), x[0].map((xj) => -(y - z) * 1 * xj), { rtol: 1e-12 }, 'general form, f\' = 1');
      expectClose(gradOf(th2), x[0].map((xj) => -(y - z) * xj), { rtol: 1e-12 }, 'f = identity');
    }
  });

  it('F5: −log P(y|x;θ) with sigmoid h has ∂/∂θ_j = −(y − ŷ)x_j, the same update as F4 with identity f', () => {
    // The F4-identity rule as a function of (y, ŷ, x): F5 is this very function with ŷ = σ(θx) instead of θx.
    const identityRule = (y: number, yhat: number, x: number[]): number[] => x.map((xj) => -(y - yhat) * xj);
    for (const { x, theta, y, z } of examples(105, 15, 'label')) {
      const th = leaf(theta);
      nll(leaf(x, false).matmul(th).sigmoid(), y).backward();
      expectClose(gradOf(th), x[0].map((xj) => -(y - sigma(z)) * xj), { rtol: 1e-12 }, 'F5');
      expectClose(gradOf(th), identityRule(y, sigma(z), x[0]), { rtol: 1e-12 }, 'F5 = F4(identity) rule');

      // linear regression's squared error through the same rule (ŷ = θx), from the engine
      const th2 = leaf(theta);
      leaf(x, false).matmul(th2).neg().add(y).pow(2).mul(0.5).sum().backward();
      expectClose(gradOf(th2), identityRule(y, z, x[0]), { rtol: 1e-12 }, 'F4 identity');
    }
  });

  it('F6: the log-likelihood gradient is (y − h)x, the loss gradient (h − y)x: ascent on one is descent on the other', () => {
    const rng = new RandomState(106);
    for (const [m, n] of [[6, 2], [10, 3], [4, 5]]) {
      const X = randMat(rng, m, n, -2, 2), y = randLabels(rng, m), theta = randMat(rng, n, 1);
      const h = mapM(dot(X, theta), sigma);
      // ℓ(θ) = Σ [y log h + (1−y) log(1−h)]
      const thL = leaf(theta), thJ = leaf(theta), yt = leaf(y, false);
      const loglik = (th: Tensor): Tensor => {
        const hh = leaf(X, false).matmul(th).sigmoid();
        return yt.mul(hh.log()).add(yt.neg().add(1).mul(hh.neg().add(1).log())).sum();
      };
      loglik(thL).backward();
      loglik(thJ).neg().backward(); // the loss J = −ℓ
      const ascent = theta.map((_, j) => X.reduce((s, x, i) => s + (y[i][0] - h[i][0]) * x[j], 0)); // Σ (y − h)x
      const descent = theta.map((_, j) => X.reduce((s, x, i) => s + (h[i][0] - y[i][0]) * x[j], 0)); // Σ (h − y)x
      expectClose(gradOf(thL), ascent, { rtol: 1e-12 }, 'log-likelihood gradient');
      expectClose(gradOf(thJ), descent, { rtol: 1e-12 }, 'loss gradient');
      // One step of each, same α: θ + α∇ℓ and θ − α∇J are the same point, bit for bit.
      const alpha = 0.3;
      const up = theta.map((r, j) => r[0] + alpha * gradOf(thL)[j]);
      const down = theta.map((r, j) => r[0] - alpha * gradOf(thJ)[j]);
      expect(up).toEqual(down);
    }
  });

  it('F11: ‖Aθ − b‖² has gradient 2Aᵀe with e = Aθ − b; logistic: Aᵀ(p − b) with p = σ(Aθ)', () => {
    const rng = new RandomState(111);
    for (const [m, n] of [[7, 3], [12, 2], [3, 4]]) {
      const A = randMat(rng, m, n, -2, 2), theta = randMat(rng, n, 1);
      // least squares, b real
      const b = randMat(rng, m, 1, -3, 3);
      const th = leaf(theta);
      leaf(A, false).matmul(th).sub(leaf(b, false)).pow(2).sum().backward();
      const e = zip(dot(A, theta), b, (u, v) => u - v);
      expectClose(gradOf(th), flat(mapM(dot(T(A), e), (v) => 2 * v)), { rtol: 1e-12 }, 'least squares 2Aᵀe');

      // logistic, b ∈ {0,1}, summed log loss
      const bl = randLabels(rng, m);
      const th2 = leaf(theta), bt = leaf(bl, false);
      const p = leaf(A, false).matmul(th2).sigmoid();
      bt.mul(p.log()).add(bt.neg().add(1).mul(p.neg().add(1).log())).sum().neg().backward();
      const pe = zip(mapM(dot(A, theta), sigma), bl, (u, v) => u - v);
      expectClose(gradOf(th2), flat(dot(T(A), pe)), { rtol: 1e-12 }, 'logistic Aᵀ(p − b)');
    }
  });

  it('F14: −log N(y; ŷ, I) = ½(y−ŷ)² + ½log(2π) per component, so its gradient equals the squared error\'s', () => {
    const rng = new RandomState(114);
    for (const f of ['identity', 'sigmoid'] as const) {
      for (const [m, n] of [[5, 3], [9, 2], [1, 4]]) {
        const X = randMat(rng, m, n, -1.5, 1.5), theta = randMat(rng, n, 1), y = randMat(rng, m, 1, -1, 2);
        const predict = (th: Tensor): Tensor => (f === 'sigmoid' ? leaf(X, false).matmul(th).sigmoid() : leaf(X, false).matmul(th));
        // the Gaussian density itself, N(y; ŷ, 1) = exp(−½(y−ŷ)²)/√(2π), and its negative log
        const thG = leaf(theta);
        const density = leaf(y, false).sub(predict(thG)).pow(2).mul(-0.5).exp().div(Math.sqrt(2 * Math.PI));
        const gaussNll = density.log().neg().sum();
        gaussNll.backward();
        const thS = leaf(theta);
        const se = leaf(y, false).sub(predict(thS)).pow(2).mul(0.5).sum();
        se.backward();

        const z = dot(X, theta), yhat = f === 'sigmoid' ? mapM(z, sigma) : z;
        const fprime = f === 'sigmoid' ? mapM(yhat, (v) => v * (1 - v)) : mapM(z, () => 1);
        // squared error's gradient, F4 summed: Σ_i −(y_i − ŷ_i) f'(θx_i) x_ij
        const want = theta.map((_, j) => X.reduce((s, x, i) => s - (y[i][0] - yhat[i][0]) * fprime[i][0] * x[j], 0));
        expectClose(gradOf(thS), want, { rtol: 1e-12 }, `squared error, f = ${f}`);
        expectClose(gradOf(thG), want, { rtol: 1e-12 }, `Gaussian NLL, f = ${f}`);
        // the values differ by the constant m·½log(2π)
        const seHand = y.reduce((s, r, i) => s + 0.5 * (r[0] - yhat[i][0]) ** 2, 0);
        expectClose([gaussNll.item()], [seHand + m * 0.5 * Math.log(2 * Math.PI)], { rtol: 1e-12 }, 'NLL value');
      }
    }
  });
});
