// safetensors files: one built by hand byte by byte is read exactly and written identically, a model
// round-trips bit for bit (float64) or rounded to float32, and broken files throw naming the part at fault.
import { describe, expect, it } from 'vitest';
import { nn, RandomState, Tensor } from '../src/index.ts';

const bits = (a: Float64Array): number[] => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
const hex = (s: string): number[] => s.trim().split(/\s+/).map((b) => parseInt(b, 16));

/** Linear(2, 1) inside a Sequential: parameters '0.weight' [2, 1] and '0.bias' [1]. */
function tiny(weight: number[], bias: number): nn.Sequential {
  const model = new nn.Sequential(new nn.Linear(2, 1));
  model.namedParameters().forEach(([name, p]) => p.data.set(name === '0.weight' ? weight : [bias]));
  return model;
}
const params = (m: nn.Module): Record<string, Tensor> => Object.fromEntries(m.namedParameters());

// By hand, from the format's definition: the header JSON is 124 bytes, padded with 4 spaces to 128 = 0x80;
// then '0.weight' (1.5 = 0x3FF8000000000000, −2 = 0xC000000000000000) and '0.bias' (0.25 = 0x3FD0000000000000),
// each float64 little-endian.
const HEADER = '{"0.weight":{"dtype":"F64","shape":[2,1],"data_offsets":[0,16]},"0.bias":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}';
const HAND = new Uint8Array([
  ...hex('80 00 00 00 00 00 00 00'),
  ...new TextEncoder().encode(HEADER), ...hex('20 20 20 20'),
  ...hex('00 00 00 00 00 00 f8 3f   00 00 00 00 00 00 00 c0   00 00 00 00 00 00 d0 3f'),
]);

/** A file with this header (raw bytes, JSON text or a value to stringify), padded to 8 bytes, then `data` zero bytes. */
function file(header: unknown, data = 0): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + data).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0, 8 + n);
  return out;
}
const F64 = (shape: number[], begin: number, end: number) => ({ dtype: 'F64', shape, data_offsets: [begin, end] });

describe('the format, against a file built by hand', () => {
  it('reads it exactly', () => {
    expect(HAND.length).toBe(8 + 128 + 24);
    const model = tiny([0, 0], 0);
    expect(nn.loadSafetensors(model, HAND)).toEqual({});
    expect(bits(params(model)['0.weight']!.data)).toEqual(bits(new Float64Array([1.5, -2])));
    expect([...params(model)['0.bias']!.data]).toEqual([0.25]);
  });

  it('writes the same bytes', () => {
    expect([...nn.saveSafetensors(tiny([1.5, -2], 0.25))]).toEqual([...HAND]);
  });

  it('reads a file whose tensors are listed out of offset order, with metadata, from an offset Buffer', () => {
    const bytes = file({ __metadata__: { format: 'pt' }, '0.bias': F64([1], 16, 24), '0.weight': F64([2, 1], 0, 16) }, 24);
    bytes.set(HAND.subarray(8 + 128), bytes.length - 24);
    const shifted = Buffer.concat([Buffer.alloc(5), bytes]).subarray(5);
    const model = tiny([0, 0], 0);
    expect(nn.loadSafetensors(model, shifted)).toEqual({ format: 'pt' });
    expect([...params(model)['0.weight']!.data, ...params(model)['0.bias']!.data]).toEqual([1.5, -2, 0.25]);
  });

  it('reads F32 tensors as the float64 of each float32', () => {
    // 0.1f = 0x3DCCCCCD, −3.5f = 0xC0600000, 1e-40f (subnormal) = 0x000116C2
    const bytes = file({ '0.weight': { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] }, '0.bias': { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12);
    bytes.set(hex('cd cc cc 3d   00 00 60 c0   c2 16 01 00'), bytes.length - 12);
    const model = tiny([0, 0], 0);
    nn.loadSafetensors(model, bytes);
    expect([...params(model)['0.weight']!.data, ...params(model)['0.bias']!.data]).toEqual([0.1, -3.5, 1e-40].map(Math.fround));
  });
});

describe('a model round trip', () => {
  const mlp = (seed: number): nn.Sequential => {
    const rng = new RandomState(seed);
    return new nn.Sequential(new nn.Linear(3, 5, { rng, init: 'xavier' }), new nn.Tanh(), new nn.Linear(5, 2, { rng }));
  };

  it('float64 is bit for bit, with metadata', () => {
    const a = mlp(1), b = mlp(2);
    const bytes = nn.saveSafetensors(a, { metadata: { epoch: '3', note: 'ünïcode ok' } });
    expect(nn.loadSafetensors(b, bytes)).toEqual({ epoch: '3', note: 'ünïcode ok' });
    for (const [name, p] of a.namedParameters()) expect(bits(params(b)[name]!.data), name).toEqual(bits(p.data));
  });

  it('float32 rounds every value to nearest and halves the data', () => {
    const a = mlp(1), b = mlp(2);
    const f64 = nn.saveSafetensors(a), f32 = nn.saveSafetensors(a, { dtype: 'float32' });
    const count = a.parameters().reduce((n, p) => n + p.size, 0);
    const headerEnd = (bytes: Uint8Array): number => 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(f64.length - headerEnd(f64)).toBe(8 * count);
    expect(f32.length - headerEnd(f32)).toBe(4 * count);
    nn.loadSafetensors(b, f32);
    for (const [name, p] of a.namedParameters()) expect([...params(b)[name]!.data], name).toEqual([...p.data].map(Math.fround));
  });

  it('writes a header padded with spaces to 8 bytes, tensors in parameter order, tiling the data', () => {
    const a = mlp(1);
    const bytes = nn.saveSafetensors(a, { metadata: { k: 'v' } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{"__metadata__":\{"k":"v"\},.*\} *$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const names = a.namedParameters().map(([name]) => name);
    expect(Object.keys(header).filter((k) => k !== '__metadata__')).toEqual(names);
    let end = 0;
    for (const [name, p] of a.namedParameters()) {
      expect(header[name]).toEqual({ dtype: 'F64', shape: p.shape, data_offsets: [end, end + 8 * p.size] });
      end += 8 * p.size;
    }
    expect(bytes.length).toBe(8 + n + end);
  });
});

describe('loading checks the file against the module, like loadStateDict, and changes nothing on failure', () => {
  const weight = [7, 8];
  const cases: [string, Uint8Array, string][] = [
    ['a missing tensor', file({ '0.weight': F64([2, 1], 0, 16) }, 16), "loadSafetensors: missing tensor '0.bias' (expected shape [1])"],
    ['an extra tensor', file({ '0.weight': F64([2, 1], 0, 16), '0.bias': F64([1], 16, 24), '1.weight': F64([1], 24, 32) }, 32), "loadSafetensors: unexpected tensor '1.weight'"],
    ['a wrong shape', file({ '0.weight': F64([1, 2], 0, 16), '0.bias': F64([1], 16, 24) }, 24), "loadSafetensors: tensor '0.weight' has shape [1, 2], expected [2, 1]"],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      const model = tiny(weight, 9);
      expect(() => nn.loadSafetensors(model, bytes)).toThrow(message);
      expect([...params(model)['0.weight']!.data, ...params(model)['0.bias']!.data]).toEqual([7, 8, 9]);
    });
  }
});

describe('broken files throw, naming the part at fault', () => {
  const big = new Uint8Array(HAND);
  new DataView(big.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
  const cases: [string, Uint8Array | unknown, RegExp][] = [
    ['not bytes', 'model.safetensors', /^loadSafetensors: expected the file's bytes as a Uint8Array, got string$/],
    ['shorter than the header length', HAND.subarray(0, 7), /^loadSafetensors: file of 7 bytes is shorter than the 8-byte header length$/],
    ['header length past the end', HAND.subarray(0, 100), /^loadSafetensors: header length 128 runs past the end of the file \(100 bytes\)$/],
    ['header length of 2^64 − 1', big, /^loadSafetensors: header length 18446744073709551615 runs past the end of the file \(160 bytes\)$/],
    ['header not JSON', file('{"0.weight": {"dtype": "F64",'), /^loadSafetensors: header \(bytes 8 to 40\) is not UTF-8 JSON: /],
    ['header not UTF-8', file(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])) /* {"\xff":1} */, /^loadSafetensors: header \(bytes 8 to 16\) is not UTF-8 JSON/],
    ['header not an object', file([1, 2]), /^loadSafetensors: header JSON is not an object$/],
    ['a tensor entry not an object', file({ a: [0, 8] }), /^loadSafetensors: tensor 'a': header entry is not an object$/],
    ['unknown dtype', file({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4), /^loadSafetensors: tensor 'a': dtype "F16" is not supported \(F64, F32, I64, I32 and BOOL are\)$/],
    ['missing dtype', file({ a: { shape: [2], data_offsets: [0, 16] } }, 16), /^loadSafetensors: tensor 'a': dtype undefined is not supported/],
    ['shape not a list of counts', file({ a: F64([2, -1], 0, 16) }, 16), /^loadSafetensors: tensor 'a': shape \[2,-1\] is not a list of non-negative integers$/],
    ['fractional shape', file({ a: F64([1.5], 0, 8) }, 8), /^loadSafetensors: tensor 'a': shape \[1.5\] is not a list/],
    ['data_offsets reversed', file({ a: F64([0], 8, 0) }, 8), /^loadSafetensors: tensor 'a': data_offsets \[8,0\] is not \[begin, end\] with 0 ≤ begin ≤ end$/],
    ['data_offsets missing', file({ a: { dtype: 'F64', shape: [1] } }, 8), /^loadSafetensors: tensor 'a': data_offsets undefined is not \[begin, end\]/],
    ['shape and size disagree', file({ a: F64([3], 0, 16) }, 16), /^loadSafetensors: tensor 'a': shape \[3\] of F64 needs 24 bytes, but data_offsets \[0, 16\] hold 16$/],
    ['offsets past the end of the data', file({ a: F64([2], 0, 16), b: F64([1], 16, 24) }, 16), /^loadSafetensors: tensor 'b': data_offsets \[16, 24\] run past the end of the data \(16 bytes\)$/],
    ['overlapping tensors', file({ a: F64([2], 0, 16), b: F64([2], 8, 24) }, 24), /^loadSafetensors: tensor 'b': data_offsets \[8, 24\] overlap the previous tensor \(which ends at 16\)$/],
    ['a gap between tensors', file({ a: F64([1], 0, 8), b: F64([1], 16, 24) }, 24), /^loadSafetensors: tensor 'b': data_offsets \[16, 24\] leave a gap after the previous tensor \(which ends at 8\)$/],
    ['a gap before the first tensor', file({ a: F64([1], 8, 16) }, 16), /^loadSafetensors: tensor 'a': data_offsets \[8, 16\] leave a gap after the previous tensor \(which ends at 0\)$/],
    ['bytes after the last tensor', file({ a: F64([1], 0, 8) }, 9), /^loadSafetensors: data has 1 bytes after the last tensor \(tensors cover 8 of 9\)$/],
    ['metadata not an object', file({ __metadata__: 'pt' }), /^loadSafetensors: header __metadata__ is not an object$/],
    ['metadata value not a string', file({ __metadata__: { epoch: 3 } }), /^loadSafetensors: header __metadata__ 'epoch' is not a string$/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => expect(() => nn.loadSafetensors(tiny([0, 0], 0), bytes as Uint8Array)).toThrow(message));
  }

  it('the helper writes files that load when nothing is wrong', () => {
    const model = tiny([1, 1], 1);
    nn.loadSafetensors(model, file({ __metadata__: {}, '0.weight': F64([2, 1], 0, 16), '0.bias': F64([1], 16, 24) }, 24));
    expect([...params(model)['0.weight']!.data, ...params(model)['0.bias']!.data]).toEqual([0, 0, 0]);
  });

  it('saving refuses bad options', () => {
    const model = tiny([1, 1], 1);
    expect(() => nn.saveSafetensors(model, { dtype: 'bfloat16' as 'float32' })).toThrow("saveSafetensors: dtype must be 'float64' or 'float32', got \"bfloat16\"");
    expect(() => nn.saveSafetensors(model, { metadata: { epoch: 3 as unknown as string } })).toThrow("saveSafetensors: metadata 'epoch' must be a string (safetensors stores string → string), got number");
  });

  it('saving refuses a parameter named like the metadata key', () => {
    class Odd extends nn.Module {
      __metadata__ = Tensor.from(new Float64Array(1), [1], { requiresGrad: true });
      forward(x: Tensor): Tensor { return x; }
    }
    expect(() => nn.saveSafetensors(new Odd())).toThrow("saveSafetensors: a tensor cannot be named '__metadata__' (the header's key for metadata)");
  });
});
