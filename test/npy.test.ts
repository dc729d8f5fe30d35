// NumPy's .npy files: read what NumPy wrote (test/fixtures, made as its README says), write the same bytes,
// round-trip bit for bit, and refuse broken files with an error naming the part at fault.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromNpy, randn, RandomState, tensor, Tensor } from '../src/index.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const f8 = fixture('f8-2x4.npy');
const f4 = fixture('f4-3.npy');
// The values the fixtures were written from (see test/fixtures/README.md).
const F8_VALUES = [0.1, -2.5, 1e-300, Math.PI, -0, 12345.678, Infinity, 2 ** -1074];
const F4_VALUES = [0.1, -2.5, 3e38];

const bits = (a: Float64Array): number[] => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

/** A version 1.0 file with this header text (padded to 64 bytes as NumPy does) and these data bytes. */
function npy(header: string, data: Uint8Array = new Uint8Array(0), version = [1, 0]): Uint8Array {
  const padded = header + ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0]!, version[1]!]);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  out.set([...padded].map((c) => c.charCodeAt(0)), 10);
  out.set(data, 10 + padded.length);
  return out;
}
const DICT = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
const TWO = new Uint8Array(16); // the data of shape (2,) in '<f8': two zeros

describe('reading what NumPy wrote', () => {
  it('reads a float64 array exactly, -0, subnormal and infinity included', () => {
    const t = fromNpy(f8);
    expect(t.shape).toEqual([2, 4]);
    F8_VALUES.forEach((v, i) => expect(Object.is(t.data[i], v), `value ${i}: ${t.data[i]} vs ${v}`).toBe(true));
  });

  it('reads a float32 array as the nearest float64 to each float32 (Math.fround)', () => {
    const t = fromNpy(f4);
    expect(t.shape).toEqual([3]);
    expect([...t.data]).toEqual(F4_VALUES.map(Math.fround));
  });

  it('reads from a Node Buffer that starts inside a larger allocation', () => {
    const shifted = Buffer.concat([Buffer.alloc(3), f8]).subarray(3);
    expect(bits(fromNpy(shifted).data)).toEqual(bits(new Float64Array(F8_VALUES)));
  });

  it('reads a version 2.0 header (4-byte length)', () => {
    const headerLength = new DataView(f8.buffer, f8.byteOffset).getUint16(8, true);
    const v2 = new Uint8Array(f8.length + 2);
    v2.set(f8.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, headerLength, true);
    v2.set(f8.subarray(10), 12);
    expect(bits(fromNpy(v2).data)).toEqual(bits(new Float64Array(F8_VALUES)));
  });

  it('takes requiresGrad like the other constructors', () => {
    expect(fromNpy(f8, { requiresGrad: true }).requiresGrad).toBe(true);
  });
});

describe('writing .npy', () => {
  it('writes float64 byte for byte as np.save', () => {
    expect([...tensor([F8_VALUES.slice(0, 4), F8_VALUES.slice(4)]).toNpy()]).toEqual([...f8]);
  });

  it('writes float32 byte for byte as np.save', () => {
    expect([...tensor(F4_VALUES).toNpy({ dtype: 'float32' })]).toEqual([...f4]);
  });

  it('round-trips float64 bit for bit, for every rank', () => {
    const rng = new RandomState(7);
    for (const shape of [[], [1], [5], [3, 4], [2, 3, 4], [0, 3]]) {
      const t = randn(shape, { rng });
      const back = fromNpy(t.toNpy());
      expect(back.shape).toEqual(shape);
      expect(bits(back.data)).toEqual(bits(t.data));
    }
  });

  it('keeps the data at a multiple of 64 bytes behind a header ending in a newline, as NumPy does', () => {
    for (const shape of [[], [7], [123456789, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]) {
      const bytes = Tensor.from(new Float64Array(0), [...shape.slice(0, -1), 0]).toNpy();
      const headerEnd = 10 + new DataView(bytes.buffer).getUint16(8, true);
      expect(headerEnd % 64).toBe(0);
      expect(bytes[headerEnd - 1]).toBe(0x0a);
    }
  });

  it('float32 rounds each value to nearest, as astype(np.float32) does', () => {
    const values = [1 / 3, -1e-40, 3.5e38, -7e45, Math.E];
    expect([...fromNpy(tensor(values).toNpy({ dtype: 'float32' })).data]).toEqual(values.map(Math.fround));
  });

  it('refuses an unknown dtype', () => {
    expect(() => tensor([1]).toNpy({ dtype: 'float16' as 'float32' })).toThrow("toNpy: dtype must be 'float64' or 'float32', got \"float16\"");
  });
});

describe('broken .npy files throw, naming the part at fault', () => {
  const cases: [string, Uint8Array | unknown, RegExp][] = [
    ['not bytes', [1, 2, 3], /^fromNpy: expected the file's bytes as a Uint8Array, got Array$/],
    ['no magic string', new TextEncoder().encode('PK\x03\x04 a zip file'), /^fromNpy: not a \.npy file: it does not start with the magic string/],
    ['empty', new Uint8Array(0), /^fromNpy: not a \.npy file/],
    ['truncated inside the header length', f8.subarray(0, 9), /^fromNpy: file of 9 bytes ends inside its version and header length$/],
    ['version 3.0', npy(DICT, TWO, [3, 0]), /^fromNpy: version 3\.0 is not supported \(1\.0 and 2\.0 are\)$/],
    ['version 1.1', npy(DICT, TWO, [1, 1]), /^fromNpy: version 1\.1 is not supported/],
    ['header length past the end', f8.subarray(0, 100), /^fromNpy: header length 118 runs past the end of the file \(100 bytes, header from byte 10\)$/],
    ['truncated data', f8.subarray(0, f8.length - 1), /^fromNpy: data has 63 bytes, but shape \(2, 4\) of '<f8' needs 64$/],
    ['data after the array', new Uint8Array([...f8, 0]), /^fromNpy: data has 65 bytes, but shape \(2, 4\) of '<f8' needs 64$/],
    ['unknown descr', npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), /^fromNpy: header descr '<i4' is not supported \(only '<f8', float64, and '<f4', float32\)$/],
    ['big-endian descr', npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", TWO), /^fromNpy: header descr '>f8' is not supported/],
    ['Fortran order', npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", TWO), /^fromNpy: header says fortran_order True; only C-order arrays are read/],
    ['header not a dict', npy('[1, 2]', TWO), /^fromNpy: header dict is not a \{…\} literal: "\[1, 2\]"$/],
    ['header missing a comma', npy("{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}", TWO), /^fromNpy: header dict lacks a comma before ''fortran_order': False, 'shape': \(2,\)'/],
    ['header malformed', npy("{'descr': '<f8', 'fortran_order': False, 'shape': [2]}", TWO), /^fromNpy: header dict is malformed at ''shape': \[2\]'/],
    ['header missing a key', npy("{'descr': '<f8', 'shape': (2,), }", TWO), /^fromNpy: header dict must have exactly the keys descr, fortran_order, shape \(has descr, shape\)/],
    ['header with an extra key', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': True}", TWO), /must have exactly the keys descr, fortran_order, shape \(has descr, fortran_order, shape, x\)/],
    ['header repeating a key', npy("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", TWO), /^fromNpy: header dict repeats the key 'descr'/],
    ['shape not a tuple', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", TWO), /^fromNpy: header dict shape must be a tuple of ints, got \(2\)/],
    ['shape of a string', npy("{'descr': '<f8', 'fortran_order': False, 'shape': '2', }", TWO), /^fromNpy: header dict shape must be a tuple of ints, got '2'/],
    ['fortran_order not a bool', npy("{'descr': '<f8', 'fortran_order': '0', 'shape': (2,), }", TWO), /^fromNpy: header dict fortran_order must be True or False, got '0'/],
    ['descr not a string', npy("{'descr': True, 'fortran_order': False, 'shape': (2,), }", TWO), /^fromNpy: header dict descr must be a string, got True/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => expect(() => fromNpy(bytes as Uint8Array)).toThrow(message));
  }

  it('the hand-built files above are well formed but for the fault each carries', () => {
    expect([...fromNpy(npy(DICT, TWO)).data]).toEqual([0, 0]);
    expect(fromNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2,)}", TWO)).shape).toEqual([1, 2]);
  });
});
