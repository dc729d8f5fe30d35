"""Reference values of functorch's vmap (torch.func.vmap in PyTorch 2) for test/vmap.test.ts.

Run from the repository root with a PyTorch that has functorch (1.13 was used: Debian's python3-torch, whose
python3 is /usr/bin/python3):

    python3 scripts/vmap_reference.py

It writes test/fixtures/vmap-reference.json: per-example gradients of two small MLPs (vmap of grad), and a few
vmapped functions with in_dims and out_dims of every kind, each with its inputs and its output. Everything is
float64; floats are written with repr, so they read back bit for bit.

Weights are stored [in, out] as the engine's nn.Linear stores them, and the layers are written x @ W + b.
"""
import json
import os
import platform

import torch
import torch.nn.functional as F
from functorch import grad, vmap

torch.set_default_dtype(torch.float64)
torch.manual_seed(20)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'vmap-reference.json')


def tolist(t):
    return t.detach().tolist()


def mlp(name, sizes, act, loss):
    """Per-example gradients of loss(net(x), y) with respect to every W and b, by vmap(grad(·)) over (x, y)."""
    params = []
    for i, o in zip(sizes, sizes[1:]):
        params += [torch.randn(i, o) * 0.5, torch.randn(o) * 0.5]
    X = torch.randn(5, sizes[0])
    y = torch.randint(0, sizes[-1], (5,)) if loss == 'crossEntropy' else torch.rand(5, sizes[-1])

    def f(ps, x, t):
        h = x
        for k in range(0, len(ps), 2):
            h = h @ ps[k] + ps[k + 1]
            if k + 2 < len(ps) or loss == 'mseSum':
                h = torch.tanh(h) if act == 'tanh' else torch.sigmoid(h)
        if loss == 'crossEntropy':
            return F.cross_entropy(h, t)
        return 0.5 * F.mse_loss(h, t, reduction='sum')

    per_example = vmap(grad(f), in_dims=(None, 0, 0))(params, X, y)
    return {'name': name, 'sizes': sizes, 'activation': act, 'loss': loss, 'params': [tolist(p) for p in params],
            'x': tolist(X), 'y': tolist(y.double()), 'grads': [tolist(g) for g in per_example]}


def case(name, fn, inputs, in_dims, out_dims):
    out = vmap(fn, in_dims=in_dims, out_dims=out_dims)(*inputs)
    return {'name': name, 'inputs': [tolist(x) for x in inputs], 'inDims': list(in_dims), 'outDims': out_dims,
            'output': tolist(out)}


def smoothed_cross_entropy(logits, t, eps):
    """PyTorch's label smoothing for a class index: (1 − ε)·(−log p_t) + (ε / C)·Σ_c −log p_c."""
    logp = torch.log_softmax(logits, -1)
    return -(1 - eps) * logp.gather(0, t.unsqueeze(0)).squeeze(0) - eps / logits.shape[-1] * logp.sum()


def main():
    r = torch.randn
    cases = [
        case('softmax(x @ w, -1), x batched along 1, w shared, out_dims 1',
             lambda x, w: torch.softmax(x @ w, -1), [r(3, 4, 2), r(2, 5)], (1, None), 1),
        case('(x * w).sum(-1, keepdim=True) + x.max(0).values, both batched, out_dims -1',
             lambda x, w: (x * w).sum(-1, keepdim=True) + x.max(0).values, [r(4, 2, 3), r(4, 3)], (0, 0), -1),
        case('x.gather(1, i): a batched index into a shared x',
             lambda x, i: x.gather(1, i), [r(2, 5), torch.tensor([[[0, 4], [1, 1]], [[3, 2], [0, 0]], [[4, 4], [2, 3]]])], (None, 0), 0),
        case('torch.cat([x, y], 0)[1:, ::2].T, y shared',
             lambda x, y: torch.cat([x, y], 0)[1:, ::2].T, [r(3, 2, 5), r(1, 5)], (0, None), 0),
        # cross_entropy(x @ w, t, label_smoothing=0.1) (written out: functorch 1.13 cannot vmap that option)
        case('cross_entropy(x @ w, t) with label smoothing 0.1, x and t batched',
             lambda x, w, t: smoothed_cross_entropy(x @ w, t, 0.1), [r(4, 3), r(3, 5), torch.tensor([0, 4, 2, 2])], (0, None, 0), 0),
        case('vmap(vmap(dot, (0, None)), (None, 1)): the dot product of every row of x with every column of y',
             vmap(lambda x, y: torch.dot(x, y), in_dims=(0, None)), [r(3, 4), r(4, 2)], (None, 1), 0),
    ]
    # The index and target tensors are written as floats: the engine's indices are float64 tensors of integers.
    fixture = {
        'torch': torch.__version__, 'python': platform.python_version(),
        'mlps': [mlp('4-5-3 tanh, crossEntropyLoss', [4, 5, 3], 'tanh', 'crossEntropy'),
                 mlp('3-4-2 sigmoid, ½Σ(y − ŷ)²', [3, 4, 2], 'sigmoid', 'mseSum')],
        'cases': cases,
    }
    with open(OUT, 'w') as fh:
        json.dump(fixture, fh, indent=1)
        fh.write('\n')


if __name__ == '__main__':
    main()
