"""Reference values of PyTorch's batch norm for test/batch-norm.test.ts.

Run from the repository root with PyTorch (1.13 was used: Debian's python3-torch; on a machine where `python3` is
another interpreter, call Debian's: /usr/bin/python3):

    python3 scripts/batch_norm_reference.py

It writes test/fixtures/batch-norm-reference.json, everything float64, floats written with repr (so they read back
bit for bit), each tensor as {"shape": [...], "data": [...]} (row-major):

- "functional": cases of F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps) over
  inputs [N, C], [N, C, L] and [N, C, H, W], with and without weight and bias, in training and evaluation mode: the
  inputs, the output y, the running statistics after the call, and the gradients of Σ G·y (G a fixed random
  tensor) with respect to x, weight and bias (PyTorch refuses running statistics that require grad). Cases marked
  "second" also hold second derivatives: with gx = ∂(Σ G·y)/∂x kept as a graph, the gradients of Σ H·gx (H another
  fixed tensor) with respect to x and weight.
- "modules": nn.BatchNorm1d / nn.BatchNorm2d with their options, run on a few batches in training mode (the output,
  the buffers and num_batches_tracked after each), then in evaluation mode on one more (its output).
"""
import json
import os
import platform

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'batch-norm-reference.json')


def t(v):
    """A tensor as the fixture stores it."""
    v = v.detach()
    return {'shape': list(v.shape), 'data': [float(a) for a in v.reshape(-1).tolist()]}


def functional_case(name, shape, training, affine, momentum=0.1, eps=1e-5, running=True, second=False):
    C = shape[1]
    x = (torch.randn(shape) * 2 + 0.5).requires_grad_()
    weight = (torch.rand(C) + 0.5).requires_grad_() if affine else None
    bias = torch.randn(C).requires_grad_() if affine else None
    rm = torch.randn(C) * 0.3 if running else None
    rv = torch.rand(C) + 0.5 if running else None
    case = {'name': name, 'training': training, 'momentum': momentum, 'eps': eps, 'x': t(x),
            'weight': t(weight) if affine else None, 'bias': t(bias) if affine else None,
            'runningMean': t(rm) if running else None, 'runningVar': t(rv) if running else None}
    rm_in, rv_in = (rm.clone(), rv.clone()) if running else (None, None)  # training updates them in place
    y = F.batch_norm(x, rm_in, rv_in, weight, bias, training, momentum, eps)
    G = torch.randn(shape)
    case['G'] = t(G)
    case['y'] = t(y)
    if running and training:
        case['runningMeanAfter'] = t(rm_in)
        case['runningVarAfter'] = t(rv_in)
    wrt = [x] + ([weight, bias] if affine else [])
    grads = torch.autograd.grad((y * G).sum(), wrt, create_graph=second)
    names = ['x'] + (['weight', 'bias'] if affine else [])
    case['grads'] = {k: t(g) for k, g in zip(names, grads)}
    if second:
        H = torch.randn(shape)
        case['H'] = t(H)
        second_wrt = [x] + ([weight] if affine else [])
        gg = torch.autograd.grad((grads[0] * H).sum(), second_wrt)
        case['second'] = {k: t(g) for k, g in zip(['x', 'weight'], gg)}
    return case


def module_case(name, cls, C, shapes, eval_shape, **options):
    m = cls(C, **options)
    case = {'name': name, 'module': cls.__name__, 'numFeatures': C,
            'options': {{'track_running_stats': 'trackRunningStats'}.get(k, k): v for k, v in options.items()},
            'repr': repr(m), 'stateDictKeys': list(m.state_dict().keys()), 'steps': []}
    if m.affine:  # non-trivial γ and β, set before the first batch
        with torch.no_grad():
            m.weight.copy_(torch.rand(C) + 0.5)
            m.bias.copy_(torch.randn(C))
        case['weight'] = t(m.weight)
        case['bias'] = t(m.bias)
    m.train()
    for shape in shapes:
        x = torch.randn(shape) * 3 - 1
        y = m(x)
        step = {'x': t(x), 'y': t(y)}
        if m.track_running_stats:
            step.update(runningMean=t(m.running_mean), runningVar=t(m.running_var), numBatchesTracked=int(m.num_batches_tracked))
        case['steps'].append(step)
    m.eval()
    x = torch.randn(eval_shape) * 3 - 1
    case['eval'] = {'x': t(x), 'y': t(m(x))}
    return case


def main():
    torch.manual_seed(19)
    functional = []
    for shape in ([6, 3], [4, 3, 5], [3, 2, 4, 5]):
        for training in (True, False):
            for affine in (True, False):
                name = f"{shape}, {'training' if training else 'eval'}, {'affine' if affine else 'no weight or bias'}"
                functional.append(functional_case(name, shape, training, affine, second=training))
    functional.append(functional_case('[5, 4], training, momentum 0.3, eps 1e-3', [5, 4], True, True, momentum=0.3, eps=1e-3, second=True))
    functional.append(functional_case('[2, 3, 3, 3], eval, eps 0.1', [2, 3, 3, 3], False, True, eps=0.1))
    functional.append(functional_case('[2, 3], training, no running statistics', [2, 3], True, True, running=False, second=True))
    functional.append(functional_case('[8, 2, 3], training, no running statistics, no weight or bias', [8, 2, 3], True, False, running=False))

    nn = torch.nn
    modules = [
        module_case('BatchNorm1d(3), [N, C]', nn.BatchNorm1d, 3, [[5, 3], [4, 3], [7, 3]], [2, 3]),
        module_case('BatchNorm1d(3), [N, C, L], momentum None', nn.BatchNorm1d, 3, [[4, 3, 6], [2, 3, 5], [3, 3, 2]], [2, 3, 4], momentum=None),
        module_case('BatchNorm2d(2), momentum 0.5, eps 1e-3', nn.BatchNorm2d, 2, [[3, 2, 4, 4], [2, 2, 3, 5]], [1, 2, 3, 3], momentum=0.5, eps=1e-3),
        module_case('BatchNorm2d(4), momentum None', nn.BatchNorm2d, 4, [[2, 4, 3, 3], [3, 4, 2, 2], [2, 4, 2, 3], [4, 4, 1, 2]], [2, 4, 2, 2], momentum=None),
        module_case('BatchNorm2d(2), affine False', nn.BatchNorm2d, 2, [[3, 2, 3, 3], [2, 2, 2, 2]], [2, 2, 3, 3], affine=False),
        module_case('BatchNorm1d(3), trackRunningStats False', nn.BatchNorm1d, 3, [[4, 3], [5, 3]], [4, 3], track_running_stats=False),
    ]
    fixture = {
        'generator': 'scripts/batch_norm_reference.py',
        'torch': torch.__version__,
        'python': platform.python_version(),
        'functional': functional,
        'modules': modules,
    }
    with open(OUT, 'w') as fh:
        json.dump(fixture, fh)
        fh.write('\n')
    print(f'{len(functional)} functional cases, {len(modules)} module cases -> {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
