"""Reference values for test/activations.test.ts, test/pad.test.ts, test/layer-norm.test.ts and test/embedding.test.ts.

Run once from the repository root with Debian's PyTorch 1.13 (python3-torch; its python3 also has mpmath):

    /usr/bin/python3 scripts/activations_reference.py

It writes test/fixtures/activations-reference.json, everything float64 (floats are written with repr, so they
read back bit for bit):

- erf: torch.erf and torch.erfc at fixed points (the tails, Cody's interval bounds 0.46875 and 4, random points),
  and the same from mpmath at 50 digits, rounded to float64.
- activations: for each op and setting, at edge values (large |x|, 0, ±1e-10, the kinks, a softplus threshold),
  the value y = f(x), the first derivative (x.grad of y.sum()) and the second (x.grad of the sum of that gradient,
  taken with create_graph), from PyTorch's autograd; and the same three from closed forms in mpmath. PyTorch's
  gelu, its tanh form and 1.13's elu (exp(x) − 1, not expm1) lose digits where 1 + erf, 1 + tanh or eˣ − 1
  cancel; mpmath does not, so the tests hold the engine to mpmath tightly and to PyTorch within its rounding.
- pad, layer_norm, embedding: inputs drawn from np.random.RandomState(seed), the output, and the gradients of
  (out·w).sum() for fixed weights w; for layer_norm also the second derivatives: the gradient of (∂/∂x·v).sum(),
  ∂ taken with create_graph, for fixed v.
"""
import json
import os
import platform

import mpmath
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
mpmath.mp.dps = 50
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'activations-reference.json')


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def uniform(seed, shape, lo=-1.0, hi=1.0):
    return np.random.RandomState(seed).uniform(lo, hi, shape)


# ---------------------------------------------------------------------------------------------------------------
# erf and erfc

def erf_reference():
    xs = [0.0, 1e-300, 1e-10, 0.1, 0.3, 0.46875, 0.47, 0.5, 1.0, 2.0, 3.0, 3.99, 4.0, 4.01, 5.0, 6.0, 10.0, 20.0, 26.0]
    xs = xs + [-v for v in xs if v != 0] + list(uniform(1, [200], -6, 6)) + list(uniform(2, [100], -0.5, 0.5))
    t = torch.tensor(xs)
    return {
        'x': xs,
        'torch_erf': flat(torch.erf(t)),
        'torch_erfc': flat(torch.erfc(t)),
        'mp_erf': [float(mpmath.erf(mpmath.mpf(v))) for v in xs],
        'mp_erfc': [float(mpmath.erfc(mpmath.mpf(v))) for v in xs],
    }


# ---------------------------------------------------------------------------------------------------------------
# activations: (name, camelCase settings for the TypeScript call, torch function, mpmath f, f', f'')

EDGE = [-800.0, -40.0, -10.0, -6.0, -3.0, -1.5, -1.0, -0.5, -1e-10, 0.0, 1e-10, 0.25, 0.5, 1.0, 1.5, 3.0, 6.0, 10.0,
        19.99, 20.0, 20.01, 40.0, 800.0]
K = mpmath.sqrt(2 / mpmath.pi)
KAPPA = mpmath.mpf('0.044715')


def sig(z):
    return 1 / (1 + mpmath.exp(-z))


def gelu_mp(x):
    return x * mpmath.ncdf(x), mpmath.ncdf(x) + x * mpmath.npdf(x), mpmath.npdf(x) * (2 - x * x)


# σ(1 − σ) is written σ(z)·σ(−z): 1 − σ(z) cancels at 50 digits too once z is past about 115.
def gelu_tanh_mp(x):
    w, v = 2 * K * (x + KAPPA * x ** 3), 2 * K * (1 + 3 * KAPPA * x * x)
    s, ds = sig(w), sig(w) * sig(-w)
    return x * s, s + x * v * ds, ds * (2 * v + x * 12 * K * KAPPA * x + x * v * v * (1 - 2 * s))


def silu_mp(x):
    s = sig(x)
    return x * s, s + x * s * sig(-x), s * sig(-x) * (2 + x * (1 - 2 * s))


def log_sigmoid_mp(x):
    return -mpmath.log1p(mpmath.exp(-x)), sig(-x), -sig(x) * sig(-x)


def leaky_relu_mp(s):
    return lambda x: (x, 1, 0) if x > 0 else (s * x, s, 0)


def elu_mp(a):  # at the kink, f' is the left derivative and f'' the right one, as PyTorch takes them
    return lambda x: (x, 1, 0) if x > 0 else (a * mpmath.expm1(x), a * mpmath.exp(x), a * mpmath.exp(x) if x < 0 else 0)


def softplus_mp(b, t):
    def f(x):
        z = b * x
        if z > t:
            return x, 1, 0
        return mpmath.log1p(mpmath.exp(z)) / b, sig(z), b * sig(z) * sig(-z) if z < t else 0  # as elu's, at z = t
    return f


def hardtanh_mp(lo, hi):
    return lambda x: (min(max(x, lo), hi), 1 if lo < x < hi else 0, 0)


ACTIVATIONS = [
    ('gelu', {}, lambda x: F.gelu(x), gelu_mp, []),
    ('gelu', {'approximate': 'tanh'}, lambda x: F.gelu(x, approximate='tanh'), gelu_tanh_mp, []),
    ('silu', {}, F.silu, silu_mp, []),
    ('logSigmoid', {}, F.logsigmoid, log_sigmoid_mp, []),
    ('leakyRelu', {}, lambda x: F.leaky_relu(x), leaky_relu_mp(mpmath.mpf(0.01)), []),
    ('leakyRelu', {'negativeSlope': 0.2}, lambda x: F.leaky_relu(x, 0.2), leaky_relu_mp(mpmath.mpf(0.2)), []),
    ('elu', {}, lambda x: F.elu(x), elu_mp(mpmath.mpf(1)), []),
    ('elu', {'alpha': 0.5}, lambda x: F.elu(x, 0.5), elu_mp(mpmath.mpf(0.5)), []),
    ('softplus', {}, lambda x: F.softplus(x), softplus_mp(mpmath.mpf(1), mpmath.mpf(20)), []),
    ('softplus', {'beta': 2, 'threshold': 5}, lambda x: F.softplus(x, 2, 5), softplus_mp(mpmath.mpf(2), mpmath.mpf(5)),
     [2.4999, 2.5, 2.5001]),
    ('softplus', {'beta': 0.5}, lambda x: F.softplus(x, 0.5), softplus_mp(mpmath.mpf(0.5), mpmath.mpf(20)), [39.99, 40.01]),
    ('hardtanh', {}, lambda x: F.hardtanh(x), hardtanh_mp(-1, 1), [-1.0000001, 0.9999999]),
    ('hardtanh', {'minVal': -0.5, 'maxVal': 2}, lambda x: F.hardtanh(x, -0.5, 2), hardtanh_mp(mpmath.mpf(-0.5), 2), [2.0]),
]


def derivatives(f, xs):
    x = torch.tensor(xs, requires_grad=True)
    y = f(x)
    (g1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    # A piecewise linear op's first derivative does not depend on x: its graph ends there.
    g2 = torch.autograd.grad(g1.sum(), x)[0] if g1.requires_grad else torch.zeros_like(x)
    return flat(y), flat(g1), flat(g2)


def activation_reference():
    cases = []
    for name, settings, f, mp, extra in ACTIVATIONS:
        xs = EDGE + extra
        y, g1, g2 = derivatives(f, xs)
        exact = [mp(mpmath.mpf(v)) for v in xs]
        cases.append({
            'name': name, 'settings': settings, 'x': xs, 'y': y, 'grad': g1, 'grad2': g2,
            'mp_y': [float(e[0]) for e in exact], 'mp_grad': [float(e[1]) for e in exact], 'mp_grad2': [float(e[2]) for e in exact],
        })
    return cases


# ---------------------------------------------------------------------------------------------------------------
# pad

PADS = [  # shape, pad, mode, value
    ([2, 3], [1, 2], 'constant', 0.0),
    ([2, 3, 4], [2, 1, 0, 3], 'constant', -1.5),
    ([2, 3, 4], [-1, 2, 1, -1, 1, 0], 'constant', 0.25),
    ([3, 5], [-2, -1], 'constant', 0.0),
    ([2, 3, 4], [3, 2], 'reflect', 0.0),
    ([2, 2, 4, 5], [2, 1, 3, 2], 'reflect', 0.0),
    ([2, 3, 5], [-2, 3], 'reflect', 0.0),
    ([1, 2, 3, 3, 4], [1, 3, 2, 0, 2, 1], 'replicate', 0.0),
    ([2, 3, 4], [4, 1], 'replicate', 0.0),
    ([2, 2, 4, 5], [-1, 2, 3, -2], 'replicate', 0.0),
]


def pad_reference():
    cases = []
    for i, (shape, p, mode, value) in enumerate(PADS):
        x = torch.tensor(uniform(100 + i, shape), requires_grad=True)
        y = F.pad(x, p, mode, value) if mode == 'constant' else F.pad(x, p, mode)
        w = torch.tensor(uniform(200 + i, list(y.shape)))
        (y * w).sum().backward()
        cases.append({'shape': shape, 'pad': p, 'mode': mode, 'value': value, 'x': flat(x), 'w': flat(w),
                      'y_shape': list(y.shape), 'y': flat(y), 'grad': flat(x.grad)})
    return cases


# ---------------------------------------------------------------------------------------------------------------
# layer_norm

LAYER_NORMS = [  # shape, normalized_shape, affine, eps
    ([4, 5], [5], True, 1e-5),
    ([2, 3, 4], [3, 4], True, 1e-5),
    ([2, 3, 4], [4], False, 1e-5),
    ([3, 6], [6], True, 0.1),
    ([6], [6], True, 1e-5),
]


def layer_norm_reference():
    cases = []
    for i, (shape, ns, affine, eps) in enumerate(LAYER_NORMS):
        x = torch.tensor(uniform(300 + i, shape, -2, 3), requires_grad=True)
        weight = torch.tensor(uniform(310 + i, ns, 0.5, 1.5), requires_grad=True) if affine else None
        bias = torch.tensor(uniform(320 + i, ns), requires_grad=True) if affine else None
        y = F.layer_norm(x, ns, weight, bias, eps)
        w = torch.tensor(uniform(330 + i, shape))
        v = torch.tensor(uniform(340 + i, shape))
        leaves = [x] + ([weight, bias] if affine else [])
        grads = torch.autograd.grad((y * w).sum(), leaves, create_graph=True)
        # Second order: the gradient of (∂x·v).sum() with respect to x (and the weight).
        second = torch.autograd.grad((grads[0] * v).sum(), [x] + ([weight] if affine else []))
        case = {'shape': shape, 'normalized_shape': ns, 'eps': eps, 'x': flat(x), 'w': flat(w), 'v': flat(v),
                'y': flat(y), 'grad_x': flat(grads[0]), 'grad2_x': flat(second[0])}
        if affine:
            case.update({'weight': flat(weight), 'bias': flat(bias), 'grad_weight': flat(grads[1]), 'grad_bias': flat(grads[2]),
                         'grad2_weight': flat(second[1])})
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------------------------------
# embedding

EMBEDDINGS = [  # indices, weight shape, padding_idx
    ([[0, 2, 2], [4, 1, 0]], [5, 3], None),
    ([[0, 2, 2], [4, 1, 0]], [5, 3], 2),
    ([[[1, 3], [3, 3]], [[0, 6], [6, 1]]], [7, 4], -1),
    (3, [4, 2], None),
]


def embedding_reference():
    cases = []
    for i, (indices, wshape, padding_idx) in enumerate(EMBEDDINGS):
        idx = torch.tensor(indices)
        weight = torch.tensor(uniform(400 + i, wshape), requires_grad=True)
        y = F.embedding(idx, weight, padding_idx)
        w = torch.tensor(uniform(410 + i, list(y.shape)))
        (y * w).sum().backward()
        cases.append({'indices': flat(idx.double()), 'indices_shape': list(idx.shape), 'weight_shape': wshape,
                      'padding_idx': padding_idx, 'weight': flat(weight), 'w': flat(w), 'y_shape': list(y.shape),
                      'y': flat(y), 'grad_weight': flat(weight.grad)})
    return cases


def main():
    out = {
        'written_by': f'scripts/activations_reference.py with torch {torch.__version__}, mpmath {mpmath.__version__}, '
                      f'numpy {np.__version__}, Python {platform.python_version()}',
        'erf': erf_reference(),
        'activations': activation_reference(),
        'pad': pad_reference(),
        'layer_norm': layer_norm_reference(),
        'embedding': embedding_reference(),
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
