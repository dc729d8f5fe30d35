"""Reference values of convolution and pooling for test/conv.test.ts and test/pool.test.ts.

Run from the repository root with a PyTorch that has torch.nn.functional (1.13 was used: Debian's python3-torch,
which is /usr/bin/python3's on the machine that wrote the fixture):

    python3 scripts/conv_reference.py

It writes test/fixtures/conv-reference.json. Each case names the op, the engine's arguments (option names in
camelCase, as the TypeScript functions take them) and a seed: the inputs are drawn from np.random.RandomState(seed),
which the engine's RandomState reproduces bit for bit, in this order: each input's uniform(-1, 1, shape) (the
input, then the weight and the bias where there are), then the upstream gradient uniform(-1, 1, out.shape). For a
case marked "ties", the input is floor(uniform(0, 3, shape)): small integers, so max pooling meets equal values.
The case holds the output and the gradient of each input after out.backward(upstream gradient). Everything is
float64; floats are written with repr, so they read back bit for bit.

The LeNet case is three SGD steps of the network of bench/lenet.ts on a batch of 4, its parameters drawn in the
engine's layout (a Linear's weight is [in, out], the transpose of torch's): the loss of each step, the gradients
of the two convolutions at the first step, and the logits after the last step.
"""
import json
import os
import platform

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'conv-reference.json')

# The engine's option names, and PyTorch's.
SNAKE = {'kernelSize': 'kernel_size', 'ceilMode': 'ceil_mode', 'countIncludePad': 'count_include_pad', 'outputSize': 'output_size'}


def torch_args(options):
    return {SNAKE.get(k, k): (tuple(v) if isinstance(v, list) else v) for k, v in options.items()}


def values(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


def run(seed, name, op, shapes, fn, ties=False):
    """Draws the inputs of `shapes` (None: no such input), applies fn, and backpropagates a drawn gradient."""
    rs = np.random.RandomState(seed)
    inputs = []
    for shape in shapes:
        if shape is None:
            inputs.append(None)
            continue
        v = np.floor(rs.uniform(0, 3, shape)) if ties else rs.uniform(-1, 1, shape)
        inputs.append(torch.tensor(v, requires_grad=True))
    out = fn(*inputs)
    out.backward(torch.tensor(rs.uniform(-1, 1, tuple(out.shape))))
    return {'name': name, 'op': op, 'seed': seed, 'ties': ties, 'shapes': shapes, 'out': values(out),
            'grads': [None if x is None else values(x.grad) for x in inputs]}


def conv_cases():
    cases = [
        # name, op, input shape, weight shape, bias, options
        ('3 → 4 channels, 3×3', 'conv2d', [2, 3, 7, 6], [4, 3, 3, 3], True, {}),
        ('stride 2, padding 1', 'conv2d', [2, 3, 7, 6], [4, 3, 3, 2], True, {'stride': 2, 'padding': 1}),
        ('stride, padding and dilation per dim, 2 groups', 'conv2d', [2, 4, 9, 8], [6, 2, 3, 2], True,
         {'stride': [2, 1], 'padding': [1, 0], 'dilation': [1, 2], 'groups': 2}),
        ("'same' with an even kernel (one more zero after) and dilation", 'conv2d', [1, 2, 5, 6], [3, 2, 4, 3], True,
         {'padding': 'same', 'dilation': [1, 2]}),
        ("unbatched, 'valid', no bias", 'conv2d', [3, 6, 5], [2, 3, 2, 2], False, {'padding': 'valid'}),
        ('depthwise (groups = channels), stride 2', 'conv2d', [2, 3, 5, 5], [6, 1, 3, 3], True, {'groups': 3, 'stride': 2}),
        ('3 → 4 channels, k = 3', 'conv1d', [2, 3, 10], [4, 3, 3], True, {}),
        ('stride 2, padding 2, dilation 2', 'conv1d', [2, 2, 11], [3, 2, 3], True, {'stride': 2, 'padding': 2, 'dilation': 2}),
        ("'same' with an even kernel", 'conv1d', [1, 2, 7], [2, 2, 4], True, {'padding': 'same'}),
        ('unbatched, 2 groups, no bias', 'conv1d', [4, 9], [4, 2, 3], False, {'groups': 2}),
    ]
    out = []
    for seed, (name, op, xs, ws, bias, options) in enumerate(cases):
        f = getattr(F, op)
        case = run(100 + seed, name, op, [xs, ws, [ws[0]] if bias else None],
                   lambda x, w, b: f(x, w, b, **torch_args(options)))
        case['options'] = options
        out.append(case)
    return out


def unfold_cases():
    out = []
    for seed, (name, shape, kernel, options) in enumerate([
        ('kernel [2, 3], dilation, padding and stride per dim', [2, 3, 6, 5], [2, 3], {'dilation': [2, 1], 'padding': [1, 2], 'stride': [2, 1]}),
        ('unbatched, kernel 2', [3, 5, 4], 2, {}),
    ]):
        case = run(200 + seed, name, 'unfold', [shape], lambda x: F.unfold(x, kernel, **torch_args(options)))
        case.update(kernelSize=kernel, options=options)
        out.append(case)
    for seed, (name, size, kernel, options, batch) in enumerate([
        ('output [5, 6], kernel 2, stride and padding per dim', [5, 6], 2, {'stride': [1, 2], 'padding': [1, 0]}, 2),
        ('unbatched, kernel [3, 2], dilation 2', [7, 5], [3, 2], {'dilation': 2}, None),
    ]):
        k = kernel if isinstance(kernel, list) else [kernel, kernel]
        blocks = F.unfold(torch.zeros(1, 1, *size), kernel, **torch_args(options)).shape[-1]
        shape = ([batch] if batch else []) + [2 * k[0] * k[1], blocks]
        case = run(210 + seed, name, 'fold', [shape], lambda x: F.fold(x, tuple(size), kernel, **torch_args(options)))
        case.update(outputSize=size, kernelSize=kernel, options=options)
        out.append(case)
    return out


def pool_cases():
    cases = [
        # name, op, input shape, kernelSize (or outputSize), options, ties
        ('kernel 2', 'maxPool2d', [2, 3, 7, 8], 2, {}, False),
        ('kernel [3, 2], stride, padding, dilation, ceilMode', 'maxPool2d', [2, 3, 7, 8], [3, 2],
         {'stride': [2, 1], 'padding': 1, 'dilation': [1, 2], 'ceilMode': True}, False),
        ('ties go to the first largest', 'maxPool2d', [2, 2, 6, 6], 3, {'stride': 1, 'padding': 1}, True),
        ('ceilMode drops a last window that starts past the input', 'maxPool2d', [1, 2, 6, 6], 2, {'stride': 3, 'ceilMode': True}, False),
        ('unbatched, kernel 3, stride 2', 'maxPool2d', [3, 7, 7], 3, {'stride': 2}, False),
        ('kernel 3, stride 2, padding 1, ceilMode', 'maxPool1d', [2, 3, 11], 3, {'stride': 2, 'padding': 1, 'ceilMode': True}, False),
        ('ties, dilation 2', 'maxPool1d', [2, 3, 12], 2, {'dilation': 2, 'stride': 1}, True),
        ('unbatched, kernel 2', 'maxPool1d', [3, 9], 2, {}, False),
        ('kernel 2', 'avgPool2d', [2, 3, 7, 8], 2, {}, False),
        ('kernel 3, stride 2, padding 1, ceilMode', 'avgPool2d', [2, 3, 7, 8], 3, {'stride': 2, 'padding': 1, 'ceilMode': True}, False),
        ('the same without the padding in the divisor', 'avgPool2d', [2, 3, 7, 8], 3,
         {'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False}, False),
        ('kernel [2, 3], stride [1, 2], padding 1, unbatched', 'avgPool2d', [3, 6, 7], [2, 3], {'stride': [1, 2], 'padding': 1}, False),
        ('kernel 3, stride 2, padding 1, ceilMode', 'avgPool1d', [2, 3, 10], 3, {'stride': 2, 'padding': 1, 'ceilMode': True}, False),
        ('the same without the padding in the divisor', 'avgPool1d', [2, 3, 10], 3,
         {'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False}, False),
        ('7×5 to 3×4', 'adaptiveAvgPool2d', [2, 3, 7, 5], [3, 4], {}, False),
        ('7×5 to 1', 'adaptiveAvgPool2d', [2, 3, 7, 5], 1, {}, False),
        ('7×5 to 9×7 (windows overlap)', 'adaptiveAvgPool2d', [2, 3, 7, 5], [9, 7], {}, False),
        ('unbatched, [4, null] keeps the width', 'adaptiveAvgPool2d', [3, 7, 5], [4, None], {}, False),
    ]
    functions = {'maxPool2d': F.max_pool2d, 'maxPool1d': F.max_pool1d, 'avgPool2d': F.avg_pool2d, 'avgPool1d': F.avg_pool1d,
                 'adaptiveAvgPool2d': F.adaptive_avg_pool2d}
    out = []
    for seed, (name, op, shape, size, options, ties) in enumerate(cases):
        f = functions[op]
        arg = tuple(size) if isinstance(size, list) else size
        case = run(300 + seed, name, op, [shape], lambda x: f(x, arg, **torch_args(options)), ties)
        case.update(size=size, options=options)
        out.append(case)
    return out


def lenet():
    """Three SGD steps of bench/lenet.ts's network on a batch of 4, from parameters drawn in the engine's layout."""
    rs = np.random.RandomState(19)
    layout = [('conv1', [6, 1, 5, 5], 25), ('conv2', [16, 6, 5, 5], 150), ('fc1', [256, 120], 256), ('fc2', [120, 84], 120),
              ('fc3', [84, 10], 84)]
    params = {}
    for name, shape, fan_in in layout:  # PyTorch's default bound 1/√fan_in, for the weight and then the bias
        bound = 1 / np.sqrt(fan_in)
        params[name + '.weight'] = rs.uniform(-bound, bound, shape)
        params[name + '.bias'] = rs.uniform(-bound, bound, [shape[0] if name.startswith('conv') else shape[1]])
    x = torch.tensor(rs.uniform(0, 1, (4, 1, 28, 28)))
    y = torch.tensor([3, 7, 0, 7])
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(256, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))
    layers = {'conv1': model[0], 'conv2': model[3], 'fc1': model[7], 'fc2': model[9], 'fc3': model[11]}
    with torch.no_grad():
        for name, layer in layers.items():
            w = torch.tensor(params[name + '.weight'])
            layer.weight.copy_(w if name.startswith('conv') else w.T)
            layer.bias.copy_(torch.tensor(params[name + '.bias']))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    losses, grads = [], None
    for step in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        if step == 0:
            grads = {f'{n}.{p}': values(getattr(layers[n], p).grad) for n in ('conv1', 'conv2') for p in ('weight', 'bias')}
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        logits = model(x)
    return {'seed': 19, 'lr': 0.05, 'y': y.tolist(), 'losses': losses, 'grads': grads, 'logits': values(logits)}


fixture = {'torch': torch.__version__, 'python': platform.python_version(), 'conv': conv_cases(), 'unfold': unfold_cases(),
           'pool': pool_cases(), 'lenet': lenet()}
with open(OUT, 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
print(f'wrote {OUT}: {len(fixture["conv"])} convolutions, {len(fixture["unfold"])} unfold/fold, {len(fixture["pool"])} pools, the LeNet steps')
