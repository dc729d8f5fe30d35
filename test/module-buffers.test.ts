// Module buffers (nn.buffer, PyTorch's register_buffer): state a module saves but does not train. They are listed
// by namedBuffers, kept out of parameters, held by stateDict in PyTorch's state_dict order, loaded by
// loadStateDict, and saved and loaded by the safetensors functions, an int64 buffer as I64. And the integer
// dtypes a safetensors file may hold (I64, I32, BOOL), read into float64.
import { describe, expect, it } from 'vitest';
import { nn, noGrad, ones, optim, RandomState, Tensor, tensor, zeros } from '../src/index.ts';

/** A module with fields in an order PyTorch would not list them: a child, own parameters, a buffer, more children. */
class Mixed extends nn.Module {
  inner = new nn.Linear(2, 2, { rng: new RandomState(1) });
  scale = nn.parameter(ones([2]));
  count = nn.buffer(zeros([]), { dtype: 'int64' });
  bn = new nn.BatchNorm1d(2);
  offset = nn.parameter(zeros([2]));
  forward(x: Tensor): Tensor {
    if (this.training) noGrad(() => this.count.add_(1));
    return this.bn.call(this.inner.call(x).mul(this.scale).add(this.offset));
  }
}

/** The header of a safetensors file, parsed. */
function headerOf(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as ReturnType<typeof headerOf>;
}

/** A file with these tensors: [name, dtype, shape, raw bytes], laid out in order. */
function file(tensors: [string, string, number[], number[]][]): Uint8Array {
  let end = 0;
  const header: Record<string, unknown> = {};
  for (const [name, dtype, shape, raw] of tensors) header[name] = { dtype, shape, data_offsets: [end, (end += raw.length)] };
  const json = new TextEncoder().encode(JSON.stringify(header)), n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + end).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.set(tensors.flatMap(([, , , raw]) => raw), 8 + n);
  return out;
}
const int64 = (...vs: bigint[]): number[] => vs.flatMap((v) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, v, true); return [...b]; });
const int32 = (...vs: number[]): number[] => vs.flatMap((v) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); return [...b]; });

describe('buffers and the state dict order', () => {
  // PyTorch 1.13 lists the same module (Linear, Parameter, register_buffer, BatchNorm1d, Parameter) so:
  const TORCH_KEYS = ['scale', 'offset', 'count', 'inner.weight', 'inner.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked'];

  it("stateDict holds parameters and buffers in PyTorch's state_dict order: per module its parameters, its buffers, then its children", () => {
    expect(Object.keys(new Mixed().stateDict())).toEqual(TORCH_KEYS);
  });

  it('namedParameters and namedBuffers list them in the same order (as named_parameters and named_buffers)', () => {
    const m = new Mixed();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'offset', 'inner.weight', 'inner.bias', 'bn.weight', 'bn.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['count', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(m.buffers()).toEqual([m.count, m.bn.running_mean, m.bn.running_var, m.bn.num_batches_tracked]);
    expect(m.buffers().some((b) => m.parameters().includes(b))).toBe(false);
  });

  it('buffers in arrays and ModuleLists are found, under their positions, after the holder’s own', () => {
    class Holder extends nn.Module {
      layers = new nn.ModuleList([new nn.BatchNorm1d(1, { affine: false }), new nn.Linear(1, 1)]);
      stats = [nn.buffer(zeros([1])), nn.buffer(ones([1]))];
      own = nn.buffer(zeros([3]));
      forward(x: Tensor): Tensor { return x; }
    }
    expect(Object.keys(new Holder().stateDict())).toEqual([
      'own', 'layers.0.running_mean', 'layers.0.running_var', 'layers.0.num_batches_tracked', 'layers.1.weight', 'layers.1.bias', 'stats.0', 'stats.1',
    ]);
  });

  it('a buffer shared by two modules is listed once, under its first name', () => {
    const shared = nn.buffer(zeros([2]));
    class A extends nn.Module { s = shared; forward(x: Tensor): Tensor { return x; } }
    expect(new nn.Sequential(new A(), new A()).namedBuffers().map(([n]) => n)).toEqual(['0.s']);
  });

  it('optimizers do not see buffers, and a buffer changes only where the module changes it (here: in training mode)', () => {
    const m = new Mixed();
    const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
    const x = tensor([[1, 2], [3, -1], [0, 1]]);
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      m.call(x).square().sum().backward();
      opt.step();
    }
    expect(m.count.item()).toBe(2);
    expect(m.count.grad).toBeNull();
    m.eval().call(x);
    expect(m.count.item()).toBe(2);
    m.train().call(x);
    expect(m.count.item()).toBe(3);
  });

  it('loadStateDict loads buffers, in place, and names a missing one', () => {
    const a = new Mixed(), b = new Mixed();
    a.call(tensor([[1, 2], [3, -1], [0, 1]]));
    const keep = b.buffers();
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect(b.buffers()).toEqual(keep); // the same tensors…
    expect(b.buffers().map((t) => Array.from(t.data))).toEqual(a.buffers().map((t) => Array.from(t.data))); // …with a's values
    expect(b.count.item()).toBe(1);

    const partial = a.stateDict();
    delete partial['bn.running_var'];
    expect(() => b.loadStateDict(partial)).toThrow("loadStateDict: missing key 'bn.running_var' (expected shape [2])");
  });

  it('buffer() refuses what is not a buffer', () => {
    expect(() => nn.buffer([1, 2] as never)).toThrow('buffer: expected a tensor, got an array ([1,2])');
    expect(() => nn.buffer(ones([2], { requiresGrad: true }))).toThrow('buffer: tensor of shape [2] requires grad; a buffer is state that is not trained');
    expect(() => nn.buffer(nn.parameter(ones([2]), { requiresGrad: false }))).toThrow('buffer: tensor of shape [2] is a parameter; a buffer is state that is not trained');
    expect(() => nn.buffer(zeros([1]), { dtype: 'int32' as never })).toThrow("buffer: dtype must be 'float64' or 'int64', got the string 'int32'");
    expect(() => nn.parameter(nn.buffer(zeros([1])))).toThrow('parameter: tensor of shape [1] is a buffer; a tensor is one or the other');
  });
});

describe('buffers in safetensors files', () => {
  it('are saved after the parameters of their module, an int64 buffer as I64 (also when the floats are float32)', () => {
    const m = new Mixed();
    m.call(tensor([[1, 2], [3, -1], [0, 1]]));
    for (const dtype of ['float64', 'float32'] as const) {
      const header = headerOf(nn.saveSafetensors(m, { dtype }));
      expect(Object.keys(header)).toEqual(Object.keys(m.stateDict()));
      const float = dtype === 'float64' ? 'F64' : 'F32';
      expect(Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v.dtype]))).toEqual({
        scale: float, offset: float, count: 'I64', 'inner.weight': float, 'inner.bias': float,
        'bn.weight': float, 'bn.bias': float, 'bn.running_mean': float, 'bn.running_var': float, 'bn.num_batches_tracked': 'I64',
      });
      expect(header['bn.num_batches_tracked']!.shape).toEqual([]);
    }
  });

  it('round-trip bit for bit, counts included', () => {
    const a = new Mixed(), b = new Mixed();
    for (let i = 0; i < 3; i++) a.call(tensor([[1, 2], [3, -1], [0, 1 + i]]));
    nn.loadSafetensors(b, nn.saveSafetensors(a));
    expect(b.stateDict()).toEqual(a.stateDict());
    expect(b.bn.num_batches_tracked!.item()).toBe(3);
  });

  it('an int64 buffer must hold integers of the int64 range to be saved', () => {
    const m = new Mixed();
    m.count.fill_(1.5);
    expect(() => nn.saveSafetensors(m)).toThrow("saveSafetensors: tensor 'count' is stored as int64 but holds 1.5, not an integer in the int64 range");
    m.count.fill_(2 ** 63);
    expect(() => nn.saveSafetensors(m)).toThrow("saveSafetensors: tensor 'count' is stored as int64 but holds 9223372036854776000, not an integer in the int64 range");
    m.count.fill_(-(2 ** 63));
    const copy = new Mixed();
    nn.loadSafetensors(copy, nn.saveSafetensors(m));
    expect(copy.count.item()).toBe(-(2 ** 63));
  });
});

describe('integer and bool tensors in files', () => {
  class Three extends nn.Module {
    a = nn.buffer(zeros([2]));
    b = nn.buffer(zeros([3]));
    c = nn.buffer(zeros([2, 2]));
    forward(x: Tensor): Tensor { return x; }
  }

  it('I64, I32 and BOOL are read into float64, exactly', () => {
    const m = new Three();
    nn.loadSafetensors(m, file([
      ['a', 'I64', [2], int64(-(2n ** 53n), 2n ** 60n)], // 2^60 is beyond 2^53, but a float64
      ['b', 'I32', [3], int32(-(2 ** 31), 7, 2 ** 31 - 1)],
      ['c', 'BOOL', [2, 2], [1, 0, 0, 1]],
    ]));
    expect(Array.from(m.a.data)).toEqual([-(2 ** 53), 2 ** 60]);
    expect(Array.from(m.b.data)).toEqual([-(2 ** 31), 7, 2 ** 31 - 1]);
    expect(m.c.toArray()).toEqual([[1, 0], [0, 1]]);
  });

  it('an I64 that float64 cannot hold and a BOOL byte other than 0 or 1 are refused, naming the tensor and the element', () => {
    const m = new Three();
    const ok = (): [string, string, number[], number[]][] => [['b', 'I32', [3], int32(0, 0, 0)], ['c', 'BOOL', [2, 2], [0, 0, 0, 0]]];
    expect(() => nn.loadSafetensors(m, file([['a', 'I64', [2], int64(1n, 2n ** 53n + 1n)], ...ok()])))
      .toThrow("loadSafetensors: tensor 'a': I64 value 9007199254740993 (element 1) is not exactly a float64 (beyond ±2^53)");
    expect(() => nn.loadSafetensors(m, file([['a', 'I64', [2], int64(0n, 0n)], ok()[0]!, ['c', 'BOOL', [2, 2], [0, 2, 0, 0]]])))
      .toThrow("loadSafetensors: tensor 'c': BOOL byte 2 (element 1) is neither 0 nor 1");
    expect(Array.from(m.a.data)).toEqual([0, 0]); // nothing was loaded
  });

  it('the sizes of integer tensors are checked against their shapes', () => {
    expect(() => nn.loadSafetensors(new Three(), file([['a', 'I32', [2], int32(1)]])))
      .toThrow("loadSafetensors: tensor 'a': shape [2] of I32 needs 8 bytes, but data_offsets [0, 4] hold 4");
  });
});
