"""Reference values of PyTorch's recurrent modules for test/recurrent.test.ts.

Run from the repository root with PyTorch (1.13 was used: Debian's python3-torch):

    python3 scripts/recurrent_reference.py

It writes test/fixtures/recurrent-reference.json. For each case: the module and its options (the engine's
camelCase names), its parameters by name (drawn here with NumPy's RandomState and set into the torch module, so
the engine loads the same ones by name), the input and any initial state, and what PyTorch computed in float64:
what it returns (output, hN and cN for a layer; h and c for a cell), and the gradients of every parameter, of the
input and of the states, of the loss Σ_k Σ returned_k·w_k, with the fixed weights w_k written too. Floats are written with repr, so
they read back bit for bit.
"""
import json
import os
import platform

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'recurrent-reference.json')

MODULES = {'RNN': torch.nn.RNN, 'LSTM': torch.nn.LSTM, 'GRU': torch.nn.GRU,
           'RNNCell': torch.nn.RNNCell, 'LSTMCell': torch.nn.LSTMCell, 'GRUCell': torch.nn.GRUCell}
# The engine's option names for PyTorch's keyword arguments.
CAMEL = {'num_layers': 'numLayers', 'bias': 'bias', 'batch_first': 'batchFirst', 'bidirectional': 'bidirectional',
         'nonlinearity': 'nonlinearity'}


def tolist(t):
    return t.detach().tolist()


def case(name, module, input_size, hidden_size, x_shape, state, seed, **options):
    """One module run forward and backward. `state`: None, or the shape of h0 (and c0 for an LSTM)."""
    rs = np.random.RandomState(seed)
    m = MODULES[module](input_size, hidden_size, **options)
    k = 1 / np.sqrt(hidden_size)
    params = {}
    with torch.no_grad():
        for pname, p in m.named_parameters():  # the state dict's order
            values = rs.uniform(-k, k, tuple(p.shape))
            p.copy_(torch.tensor(values))
            params[pname] = {'shape': list(p.shape), 'data': values.reshape(-1).tolist()}
    x = torch.tensor(rs.randn(*x_shape), requires_grad=True)
    lstm = module.startswith('LSTM')
    states = None
    if state is not None:
        states = [torch.tensor(rs.randn(*state), requires_grad=True) for _ in range(2 if lstm else 1)]
    args = (x,) if states is None else (x, tuple(states) if lstm else states[0])
    result = m(*args)
    # What the engine returns, flattened: [output, hN] or [output, hN, cN] for a layer; [h] or [h, c] for a cell.
    if module.endswith('Cell'):
        outputs = list(result) if lstm else [result]
    else:
        outputs = [result[0]] + (list(result[1]) if lstm else [result[1]])
    weights = [torch.tensor(rs.randn(*o.shape)) for o in outputs]
    loss = sum((o * w).sum() for o, w in zip(outputs, weights))
    loss.backward()
    return {
        'name': name, 'module': module, 'inputSize': input_size, 'hiddenSize': hidden_size,
        'options': {CAMEL[k]: v for k, v in options.items()},
        'params': params,
        'x': tolist(x), 'state': None if states is None else [tolist(s) for s in states],
        'weights': [tolist(w) for w in weights],
        'outputs': [tolist(o) for o in outputs],
        'loss': loss.item(),
        'grads': {pname: tolist(p.grad) for pname, p in m.named_parameters()},
        'gradX': tolist(x.grad), 'gradState': None if states is None else [tolist(s.grad) for s in states],
    }


def layers(module, seed, **extra):
    """The cases of one multi-layer module: sizes L 5, N 3, input 4, hidden 3."""
    L, N, I, H = 5, 3, 4, 3
    s = lambda layers_dirs, n=N: (layers_dirs, n, H)
    tag = f"{module}{'' if not extra else ' ' + ', '.join(f'{k}={v}' for k, v in extra.items())}"
    return [
        case(f'{tag}: one layer, no initial state', module, I, H, (L, N, I), None, seed, **extra),
        case(f'{tag}: numLayers 2, bidirectional, initial state', module, I, H, (L, N, I), s(4), seed + 1,
             num_layers=2, bidirectional=True, **extra),
        case(f'{tag}: batchFirst, numLayers 2, initial state, no bias', module, I, H, (N, L, I), s(2), seed + 2,
             batch_first=True, num_layers=2, bias=False, **extra),
        case(f'{tag}: unbatched, bidirectional, initial state', module, I, H, (L, I), (2, H), seed + 3,
             bidirectional=True, **extra),
        case(f'{tag}: one step, one sample', module, I, H, (1, 1, I), s(1, 1), seed + 4, **extra),
    ]


def cells(module, seed, **extra):
    """The cases of one cell: batch 3, input 4, hidden 5."""
    N, I, H = 3, 4, 5
    tag = f"{module}{'' if not extra else ' ' + ', '.join(f'{k}={v}' for k, v in extra.items())}"
    return [
        case(f'{tag}: batch, state', module, I, H, (N, I), (N, H), seed, **extra),
        case(f'{tag}: batch, no state, no bias', module, I, H, (N, I), None, seed + 1, bias=False, **extra),
        case(f'{tag}: unbatched, state', module, I, H, (I,), (H,), seed + 2, **extra),
    ]


def main():
    cases = (layers('RNN', 10) + layers('RNN', 20, nonlinearity='relu') + layers('GRU', 30) + layers('LSTM', 40) +
             cells('RNNCell', 50) + cells('RNNCell', 60, nonlinearity='relu') + cells('GRUCell', 70) +
             cells('LSTMCell', 80))
    fixture = {
        'generator': 'scripts/recurrent_reference.py',
        'torch': torch.__version__,
        'numpy': np.__version__,
        'python': platform.python_version(),
        'cases': cases,
    }
    with open(OUT, 'w') as fh:
        json.dump(fixture, fh)
        fh.write('\n')
    for c in cases:
        print(f"{c['name']}: loss {c['loss']!r}")


if __name__ == '__main__':
    main()
