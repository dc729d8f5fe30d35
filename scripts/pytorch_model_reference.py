"""A small PyTorch model's weights and output, for loading PyTorch weights into the engine (issue 19).

Run from the repository root with PyTorch (1.13 was used: Debian's python3-torch; on a machine where `python3` is
another interpreter, call Debian's: /usr/bin/python3):

    python3 scripts/pytorch_model_reference.py

The model, float64, seeded with torch.manual_seed(19):

    Net(
      (conv): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
      (bn): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
      (relu): ReLU()
      (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
      (lstm): LSTM(16, 8, batch_first=True)
      (fc): Linear(in_features=8, out_features=3, bias=True)
    )

    forward(x [N, 1, 8, 8]):
      h = pool(relu(bn(conv(x))))                 # [N, 4, 4, 4]
      seq = h.flatten(1).reshape(N, 4, 16)        # the 4 channels as a sequence of 4 steps of 16 values
      out, _ = lstm(seq)                          # [N, 4, 8]
      return fc(out[:, -1])                       # the last step: [N, 3]

Its batch norm's weight and bias are drawn at random (not PyTorch's 1 and 0), and three training-mode batches
[8, 1, 8, 8] are run through the model (under no_grad: only the running statistics change), so that every tensor
of the state dict is non-trivial; num_batches_tracked is then 3. It writes:

- test/fixtures/pytorch-model.safetensors: the state_dict, in its order, as a safetensors file written here by hand
  (PyTorch 1.13 has no safetensors package): an 8-byte little-endian header length, the JSON header
  {"__metadata__": {"format": "pt"}, name: {dtype, shape, data_offsets}, …} padded with spaces to a multiple of 8
  bytes, then the raw little-endian bytes of each tensor; float64 tensors as F64, num_batches_tracked as I64, as
  PyTorch's safetensors.torch.save_file would store them. PyTorch's own layouts: conv.weight [out, in, kH, kW],
  lstm.weight_ih_l0 [4·hidden, input] (gates i, f, g, o), fc.weight [out, in].
- test/fixtures/pytorch-model.json: the structure (as PyTorch prints it, and the forward above), the state dict's
  names, dtypes and shapes, a fixed input [2, 1, 8, 8], the eval-mode output [2, 3], and the intermediate values
  of that forward (conv output = bn input, bn output, the LSTM's last step = fc input) for finding where an
  engine-side model departs from this one.
"""
import json
import os
import platform
import struct

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')

FORWARD = [
    'h = pool(relu(bn(conv(x))))                 # [N, 4, 4, 4]',
    'seq = h.flatten(1).reshape(N, 4, 16)        # the 4 channels as a sequence of 4 steps of 16 values',
    'out, _ = lstm(seq)                          # [N, 4, 8]',
    'return fc(out[:, -1])                       # the last step: [N, 3]',
]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.lstm = nn.LSTM(input_size=16, hidden_size=8, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x, record=None):
        c = self.conv(x)
        b = self.bn(c)
        h = self.pool(self.relu(b))
        seq = h.flatten(1).reshape(x.shape[0], 4, 16)
        out, _ = self.lstm(seq)
        last = out[:, -1]
        if record is not None:
            record.update(conv=c, bn=b, fcInput=last)
        return self.fc(last)


def save_safetensors(state, path, metadata):
    """The safetensors format by hand: header length (u64 LE), JSON header padded with spaces to 8 bytes, raw data."""
    codes = {torch.float64: ('F64', '<f8'), torch.int64: ('I64', '<i8')}
    header, chunks, offset = {'__metadata__': metadata}, [], 0
    for name, t in state.items():
        code, little_endian = codes[t.dtype]
        raw = t.detach().contiguous().numpy().astype(little_endian).tobytes()
        header[name] = {'dtype': code, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))


def t(v):
    """A tensor as the JSON fixture stores it: shape and row-major values (floats with repr)."""
    v = v.detach()
    return {'shape': list(v.shape), 'data': [float(a) for a in v.reshape(-1).tolist()]}


def main():
    torch.manual_seed(19)
    model = Net()
    with torch.no_grad():
        model.bn.weight.copy_(torch.rand(4) + 0.5)
        model.bn.bias.copy_(torch.randn(4) * 0.5)
        model.train()
        for _ in range(3):
            model(torch.randn(8, 1, 8, 8) * 2 + 0.3)
        model.eval()
        x = torch.randn(2, 1, 8, 8)
        record = {}
        y = model(x, record)

    state = model.state_dict()
    assert int(state['bn.num_batches_tracked']) == 3
    save_safetensors(state, os.path.join(FIXTURES, 'pytorch-model.safetensors'), {'format': 'pt'})
    fixture = {
        'generator': 'scripts/pytorch_model_reference.py',
        'torch': torch.__version__,
        'python': platform.python_version(),
        'comment': 'A float64 PyTorch model seeded with torch.manual_seed(19): its state_dict is '
                   'pytorch-model.safetensors (after 3 training-mode batches through its batch norm), and `output` is '
                   'its eval-mode output for `input`. `structure` is the model as PyTorch prints it, `forward` its '
                   'forward pass; `intermediate` holds the values inside that forward.',
        'structure': repr(model),
        'forward': FORWARD,
        'stateDict': [{'name': k, 'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape)} for k, v in state.items()],
        'input': t(x),
        'output': t(y),
        'intermediate': {k: t(v) for k, v in record.items()},
    }
    with open(os.path.join(FIXTURES, 'pytorch-model.json'), 'w') as fh:
        json.dump(fixture, fh, indent=1)
        fh.write('\n')
    print(model)
    print('output', y.tolist())


if __name__ == '__main__':
    main()
