// F1–F3 (document 002): the sigmoid's derivative, the logistic-regression cost gradient, and its chain rule.
// The engine builds each expression and runs backward(); the expected values are the documents' formulas
// written out by hand in plain TypeScript.
import { describe, expect, it } from 'vitest';
import { RandomState, tensor } from '../../src/index.ts';
import { T, dot, flat, gradOf, leaf, mapM, randLabels, randMat, sigma, zip } from './helpers.ts';
import { expectClose } from '../expect-close.ts';

describe('F1–F3: logistic regression (document 002)', () => {
  it('F1: σ\'(z) = σ(z)(1 − σ(z))', () => {
    const rng = new RandomState(101);
    const zs = [0, 1e-9, -1e-9, 30, -30, 500, -500, ...rng.uniform(-12, 12, [40])];
    const z = tensor(zs, { requiresGrad: true });
    z.sigmoid().sum().backward();
    const want = zs.map((v) => sigma(v) * (1 - sigma(v)));
    expectClose(gradOf(z), want, { rtol: 1e-12 }, 'σ\'(z)');
    // and the value itself
    expectClose(z.sigmoid().data, zs.map(sigma), { rtol: 1e-12 }, 'σ(z)');
  });

  it('F2: J(θ) = −(1/m) Σ [y log h + (1−y) log(1−h)] has ∂J/∂θ_j = (1/m) Σ (h − y) x_j = (1/m) Xᵀ(σ(Xθ) − y)', () => {
    const rng = new RandomState(102);
    for (const [m, n] of [[8, 3], [5, 1], [20, 4], [1, 2], [12, 6]]) {
      const X = randMat(rng, m, n, -2, 2), y = randLabels(rng, m), theta = randMat(rng, n, 1, -1.5, 1.5);
      const Xt = leaf(X, false), yt = leaf(y, false), th = leaf(theta);
      const h = Xt.matmul(th).sigmoid();
      const J = yt.mul(h.log()).add(yt.neg().add(1).mul(h.neg().add(1).log())).sum().mul(-1 / m);
      J.backward();

      // (1/m) Σ_i (h_i − y_i) x_ij, one j at a time
      const hh = X.map((x) => sigma(x.reduce((s, xk, k) => s + xk * theta[k][0], 0)));
      const perJ = theta.map((_, j) => (1 / m) * X.reduce((s, x, i) => s + (hh[i] - y[i][0]) * x[j], 0));
      expectClose(gradOf(th), perJ, { rtol: 1e-12 }, `F2 sum form m=${m} n=${n}`);

      // matrix form (1/m) Xᵀ(σ(Xθ) − y)
      const matrix = mapM(dot(T(X), zip(mapM(dot(X, theta), sigma), y, (a, b) => a - b)), (v) => v / m);
      expectClose(gradOf(th), flat(matrix), { rtol: 1e-12 }, `F2 matrix form m=${m} n=${n}`);

      // and the cost's value
      const Jhand = -(1 / m) * hh.reduce((s, hi, i) => s + (y[i][0] * Math.log(hi) + (1 - y[i][0]) * Math.log(1 - hi)), 0);
      expectClose([J.item()], [Jhand], { rtol: 1e-12 }, 'J');
    }
  });

  it('F3: G = y log h + (1−y) log(1−h): dG/dh = (y−h)/(h(1−h)), dh/dz = h(1−h), dz/dθ = x, product (y − h)x', () => {
    const rng = new RandomState(103);
    for (let p = 0; p < 12; p++) {
      const n = 1 + (p % 4);
      const x = randMat(rng, 1, n, -2, 2), theta = randMat(rng, n, 1, -2, 2), yv = p % 2;
      const zv = x[0].reduce((s, xk, k) => s + xk * theta[k][0], 0), hv = sigma(zv);

      // the whole chain in one graph, with the intermediate gradients kept
      const th = leaf(theta), xt = leaf(x, false);
      const z = xt.matmul(th).retainGrad();
      const h = z.sigmoid().retainGrad();
      const G = h.log().mul(yv).add(h.neg().add(1).log().mul(1 - yv)).sum();
      G.backward();
      expectClose(gradOf(h), [(yv - hv) / (hv * (1 - hv))], { rtol: 1e-12 }, 'dG/dh');
      expectClose(gradOf(z), [((yv - hv) / (hv * (1 - hv))) * (hv * (1 - hv))], { rtol: 1e-12 }, 'dG/dz = dG/dh·dh/dz');
      expectClose(gradOf(th), x[0].map((xj) => (yv - hv) * xj), { rtol: 1e-12 }, 'dG/dθ = (y − h)x');

      // each link on its own
      const z2 = tensor([zv], { requiresGrad: true });
      z2.sigmoid().sum().backward();
      expectClose(gradOf(z2), [hv * (1 - hv)], { rtol: 1e-12 }, 'dh/dz');
      const th3 = leaf(theta);
      xt.matmul(th3).sum().backward();
      expect(gradOf(th3)).toEqual(x[0]); // dz/dθ = x, exactly
    }
  });
});
