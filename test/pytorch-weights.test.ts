// Weights from and for PyTorch. test/fixtures/pytorch-model.safetensors is a PyTorch model's state_dict (conv, batch
// norm, LSTM, linear), written by scripts/pytorch_model_reference.py with its eval-mode output and the values inside
// its forward in test/fixtures/pytorch-model.json. Here: the engine's decoder reads the file (names in state_dict
// order, shapes, dtypes, num_batches_tracked as int64); its batch norm and its linear layer, loaded by name into the
// engine's modules, compute PyTorch's values; and the linearLayout option writes and reads nn.Linear's weight in
// PyTorch's [out, in] layout, the one exception to "same names, same layouts".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn, RandomState, Tensor } from '../src/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/tensor/safetensors.ts';
import { expectClose, maxAbs } from './expect-close.ts';

interface Stored { shape: number[]; data: number[] }
const fixtures = join(import.meta.dirname, 'fixtures');
const bytes = new Uint8Array(readFileSync(join(fixtures, 'pytorch-model.safetensors')));
const model = JSON.parse(readFileSync(join(fixtures, 'pytorch-model.json'), 'utf8')) as {
  torch: string; structure: string; stateDict: { name: string; dtype: string; shape: number[] }[];
  input: Stored; output: Stored; intermediate: { conv: Stored; bn: Stored; fcInput: Stored };
};
const load = (s: Stored): Tensor => Tensor.from(Float64Array.from(s.data), s.shape);
const { tensors, metadata } = decodeSafetensors(bytes);

/** The file's tensors whose names match, as a new file in the same dtypes, under the names `rename` gives. */
function part(match: RegExp, rename = (name: string): string => name): Uint8Array {
  const picked = [...tensors].filter(([name]) => match.test(name));
  return encodeSafetensors(picked.map(([name, t]) => [rename(name), { data: t.data, shape: t.shape, dtype: t.dtype === 'int64' ? 'int64' : undefined }]));
}

describe(`a PyTorch ${model.torch} model's safetensors file, read by the engine's decoder`, () => {
  it('holds the state_dict in its order, with its shapes and dtypes (num_batches_tracked int64), and the metadata', () => {
    expect([...tensors.keys()]).toEqual(model.stateDict.map((e) => e.name));
    expect([...tensors.keys()]).toEqual([
      'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
      'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'fc.weight', 'fc.bias',
    ]);
    for (const { name, dtype, shape } of model.stateDict) {
      expect(tensors.get(name)!.shape, name).toEqual(shape);
      expect(tensors.get(name)!.dtype, name).toBe(dtype);
    }
    expect(tensors.get('fc.weight')!.shape).toEqual([3, 8]); // PyTorch's [out, in]
    expect(Array.from(tensors.get('bn.num_batches_tracked')!.data)).toEqual([3]);
    expect(metadata).toEqual({ format: 'pt' });
    expect(model.structure).toMatch(/^Net\(\n {2}\(conv\): Conv2d\(1, 4, kernel_size=\(3, 3\)/);
  });

  it("its batch norm, loaded by name into nn.BatchNorm2d, gives PyTorch's eval-mode values", () => {
    const bn = new nn.BatchNorm2d(4);
    nn.loadSafetensors(bn, part(/^bn\./, (name) => name.slice(3)));
    expect(bn.num_batches_tracked!.item()).toBe(3);
    expect(Array.from(bn.running_var!.data)).toEqual(Array.from(tensors.get('bn.running_var')!.data));
    const y = bn.eval().call(load(model.intermediate.conv));
    expectClose(y, load(model.intermediate.bn), { rtol: 1e-13, atol: 1e-13 * maxAbs(model.intermediate.bn.data) }, 'bn output');
  });

  it("its linear layer, loaded with { linearLayout: 'pytorch' } into nn.Linear(8, 3), gives PyTorch's output", () => {
    class Head extends nn.Module {
      fc = new nn.Linear(8, 3);
      forward(x: Tensor): Tensor { return this.fc.call(x); }
    }
    const head = new Head(), file = part(/^fc\./);
    expect(() => nn.loadSafetensors(head, file)).toThrow("loadSafetensors: tensor 'fc.weight' has shape [3, 8], expected [8, 3]");
    nn.loadSafetensors(head, file, { linearLayout: 'pytorch' });
    expect(head.fc.weight.shape).toEqual([8, 3]);
    expect(head.fc.weight.transpose().toArray()).toEqual(load({ shape: [3, 8], data: Array.from(tensors.get('fc.weight')!.data) }).toArray());
    const y = head.call(load(model.intermediate.fcInput));
    expectClose(y, load(model.output), { rtol: 1e-13, atol: 1e-13 * maxAbs(model.output.data) }, 'model output');
  });

  it('saving what was loaded gives back the same tensors, dtypes and layouts', () => {
    class Part extends nn.Module {
      bn = new nn.BatchNorm2d(4);
      fc = new nn.Linear(8, 3);
      forward(x: Tensor): Tensor { return x; }
    }
    const original = part(/^(bn|fc)\./);
    const m = new Part();
    nn.loadSafetensors(m, original, { linearLayout: 'pytorch' });
    expect(nn.saveSafetensors(m, { linearLayout: 'pytorch' })).toEqual(original); // byte for byte
  });
});

describe("linearLayout: nn.Linear's weight as PyTorch lays it out", () => {
  const rng = new RandomState(7);
  const build = () => new nn.Sequential(new nn.Linear(3, 5, { rng }), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 2, { rng, bias: false }));
  const headerOf = (b: Uint8Array): Record<string, { dtype: string; shape: number[] }> =>
    JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))))) as ReturnType<typeof headerOf>;

  it("'pytorch' writes every Linear weight transposed, [out, in], and nothing else", () => {
    const m = build();
    const file = nn.saveSafetensors(m, { linearLayout: 'pytorch' });
    const shapes = Object.fromEntries(Object.entries(headerOf(file)).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      '0.weight': [5, 3], '0.bias': [5], '1.weight': [5], '1.bias': [5], '1.running_mean': [5], '1.running_var': [5],
      '1.num_batches_tracked': [], '3.weight': [2, 5],
    });
    const stored = decodeSafetensors(file).tensors;
    expect(Array.from(stored.get('0.weight')!.data)).toEqual(Array.from(m[0].weight.transpose().data));
    expect(Array.from(stored.get('3.weight')!.data)).toEqual(Array.from(m[3].weight.transpose().data));
    expect(Object.keys(headerOf(nn.saveSafetensors(m)))).toEqual(Object.keys(shapes)); // 'engine' (the default): same names
    expect(headerOf(nn.saveSafetensors(m))['0.weight']!.shape).toEqual([3, 5]);
  });

  it('round-trips bit for bit, and the layouts do not mix', () => {
    const a = build(), b = build();
    nn.loadSafetensors(b, nn.saveSafetensors(a, { linearLayout: 'pytorch' }), { linearLayout: 'pytorch' });
    expect(b.stateDict()).toEqual(a.stateDict());
    expect(() => nn.loadSafetensors(b, nn.saveSafetensors(a), { linearLayout: 'pytorch' }))
      .toThrow("loadSafetensors: tensor '0.weight' has shape [3, 5], expected [5, 3] (nn.Linear's weight in PyTorch's [out, in] layout)");
    expect(() => nn.loadSafetensors(b, nn.saveSafetensors(a, { linearLayout: 'pytorch' })))
      .toThrow("loadSafetensors: tensor '0.weight' has shape [5, 3], expected [3, 5]");
  });

  it('a square weight is transposed too (its shape cannot tell the layouts apart)', () => {
    const a = new nn.Linear(2, 2, { rng }), b = new nn.Linear(2, 2, { rng });
    nn.loadSafetensors(b, nn.saveSafetensors(a, { linearLayout: 'pytorch' }));
    expect(b.weight.toArray()).toEqual(a.weight.transpose().toArray());
  });

  it('a bad value is refused, naming the function', () => {
    const m = build();
    expect(() => nn.saveSafetensors(m, { linearLayout: 'torch' as never })).toThrow("saveSafetensors: linearLayout must be 'engine' or 'pytorch', got the string 'torch'");
    expect(() => nn.loadSafetensors(m, nn.saveSafetensors(m), { linearLayout: true as never })).toThrow("loadSafetensors: linearLayout must be 'engine' or 'pytorch', got boolean true");
    expect(() => nn.loadSafetensors(m, nn.saveSafetensors(m), 'pytorch' as never)).toThrow("loadSafetensors: options must be an object ({ … }), got the string 'pytorch'");
  });
});

describe('the whole PyTorch model (Conv2d, BatchNorm2d, ReLU, MaxPool2d, LSTM, Linear), loaded by name from its file', () => {
  class Net extends nn.Module {
    conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    bn = new nn.BatchNorm2d(4);
    relu = new nn.ReLU();
    pool = new nn.MaxPool2d(2);
    lstm = new nn.LSTM(16, 8, { batchFirst: true });
    fc = new nn.Linear(8, 3);
    forward(x: Tensor): Tensor {
      const h = this.pool.call(this.relu.call(this.bn.call(this.conv.call(x)))); // [N, 4, 4, 4]
      const [out] = this.lstm.call(h.flatten(1).reshape([x.shape[0]!, 4, 16])); // the channels as 4 steps of 16
      return this.fc.call(out.select(1, -1)); // the last step
    }
  }

  it("reproduces PyTorch's eval-mode output to 1e-12, with the state_dict's names in its order", () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual(model.stateDict.map((e) => e.name));
    expect(nn.loadSafetensors(net, bytes, { linearLayout: 'pytorch' })).toEqual({ format: 'pt' });
    const y = net.eval().call(load(model.input));
    expectClose(y, load(model.output), { rtol: 1e-12, atol: 1e-12 * maxAbs(model.output.data) }, 'model output');
    // and saved back in PyTorch's layout, the file is PyTorch's, byte for byte
    expect(nn.saveSafetensors(net, { linearLayout: 'pytorch', metadata: { format: 'pt' } })).toEqual(bytes);
  });
});
