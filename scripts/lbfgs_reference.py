"""Reference trajectories of torch.optim.LBFGS for test/lbfgs.test.ts.

Run from the repository root with a PyTorch that has torch.optim.LBFGS (1.13 was used: Debian's python3-torch):

    python3 scripts/lbfgs_reference.py

It writes test/fixtures/lbfgs-reference.json: for each case the problem's data, the initial parameters, the
optimizer's options, and after each step() call the loss it returned, the parameters, and the state counters
func_evals and n_iter. Everything is float64; floats are written with repr, so they read back bit for bit.

The problems are written with the ops the TypeScript test uses, in the same order, so that the two engines
compute the same losses and gradients up to a few ulp (sums of many terms and exp are where they may differ).
"""
import json
import os
import platform

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'lbfgs-reference.json')

# PyTorch's option names, for the options written in the fixture (camelCase, as LBFGSOptions).
CAMEL = {'lr': 'lr', 'max_iter': 'maxIter', 'max_eval': 'maxEval', 'tolerance_grad': 'toleranceGrad',
         'tolerance_change': 'toleranceChange', 'history_size': 'historySize', 'line_search_fn': 'lineSearchFn'}


def rosenbrock():
    """f(x) = (1 − x₀)² + 100·(x₁ − x₀²)², from (−1.5, 2)."""
    x = torch.tensor([-1.5, 2.0], requires_grad=True)

    def loss():
        x0, x1 = x[0], x[1]
        return (1 - x0).square() + (x1 - x0.square()).square() * 100

    return {'problem': 'rosenbrock', 'data': {}}, [x], loss


def least_squares():
    """½·Σ(A·w + c − b)² over 8 points and 3 features, A and b from np.random.seed(0) normal draws."""
    rs = np.random.RandomState(0)
    A, b = rs.randn(8, 3), rs.randn(8, 1)
    w = torch.zeros(3, 1, requires_grad=True)
    c = torch.zeros(1, requires_grad=True)
    At, bt = torch.tensor(A), torch.tensor(b)

    def loss():
        r = At.matmul(w).add(c).sub(bt)
        return r.square().sum().mul(0.5)

    return {'problem': 'least_squares', 'data': {'A': A.tolist(), 'b': b.tolist()}}, [w, c], loss


def xor():
    """The documents' 3-4-1 sigmoid network without biases: syn0 = 2·random((3, 4)) − 1, then syn1 = 2·random((4, 1)) − 1
    after np.random.seed(1); loss ½·Σ(y − ŷ)² over the four XOR rows."""
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    w0 = torch.tensor(syn0, requires_grad=True)
    w1 = torch.tensor(syn1, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss():
        out = Xt.matmul(w0).sigmoid().matmul(w1).sigmoid()
        return yt.sub(out).square().sum().mul(0.5)

    return {'problem': 'xor', 'data': {'X': X.tolist(), 'y': y.tolist()}}, [w0, w1], loss


def run(name, make, steps, **options):
    meta, params, f = make()
    init = [p.detach().clone().tolist() for p in params]
    opt = torch.optim.LBFGS(params, **options)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    trajectory = []
    for _ in range(steps):
        loss = opt.step(closure)
        state = opt.state[params[0]]
        trajectory.append({
            'loss': float(loss),
            'params': [p.detach().tolist() for p in params],
            'funcEvals': state['func_evals'],
            'nIter': state['n_iter'],
        })
    return {'name': name, **meta, 'options': {CAMEL[k]: v for k, v in options.items()}, 'steps': steps,
            'init': init, 'trajectory': trajectory}


CASES = [
    ('rosenbrock, strong_wolfe', rosenbrock, 4, dict(line_search_fn='strong_wolfe')),
    ('rosenbrock, strong_wolfe, historySize 3, maxIter 7', rosenbrock, 8, dict(line_search_fn='strong_wolfe', history_size=3, max_iter=7)),
    ('rosenbrock, fixed steps, lr 0.1', rosenbrock, 6, dict(lr=0.1, max_iter=10)),
    ('least_squares, fixed steps', least_squares, 3, dict(max_iter=5)),
    ('least_squares, strong_wolfe', least_squares, 3, dict(line_search_fn='strong_wolfe')),
    ('xor, strong_wolfe', xor, 5, dict(line_search_fn='strong_wolfe')),
    ('xor, fixed steps, historySize 5', xor, 5, dict(history_size=5)),
    ('xor, strong_wolfe, maxEval 9, toleranceChange 1e-5', xor, 5, dict(line_search_fn='strong_wolfe', max_eval=9, tolerance_change=1e-5)),
]


def sum_input(n):
    """n positive values of widely spread magnitudes, each exact in float64, the same in the TypeScript test."""
    return [((i * 7919) % 1000 + 0.5) / 997 * 2.0 ** ((i * 31) % 40 - 20) for i in range(n)]


# Sizes for PyTorch's float64 sum (the first step's 1/|g|₁): below 4 in order, then 4-lane vectors in cascade.
SUM_SIZES = [3, 5, 6, 9, 16, 33, 100, 257, 1000, 4099, 30000]


def main():
    cases = [run(name, make, steps, **options) for name, make, steps, options in CASES]
    sums = [{'n': n, 'sum': float(torch.tensor(sum_input(n)).sum()), 'inOrder': float(np.cumsum(sum_input(n))[-1])} for n in SUM_SIZES]
    fixture = {
        'generator': 'scripts/lbfgs_reference.py',
        'torch': torch.__version__,
        'numpy': np.__version__,
        'python': platform.python_version(),
        'cpu_capability': next((line.split(':', 1)[1].strip() for line in torch.__config__.show().splitlines() if 'CPU capability' in line), None),
        'cases': cases,
        'sums': sums,
    }
    with open(OUT, 'w') as fh:
        json.dump(fixture, fh, indent=1)
        fh.write('\n')
    for c in cases:
        last = c['trajectory'][-1]
        print(f"{c['name']}: losses {[t['loss'] for t in c['trajectory']]}, func_evals {last['funcEvals']}, n_iter {last['nIter']}")


if __name__ == '__main__':
    main()
