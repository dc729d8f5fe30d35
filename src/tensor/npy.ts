// NumPy's .npy file (numpy.lib.format) for one float array: the magic "\x93NUMPY", a version (1.0; 2.0 is read
// too), the header's length (2 bytes in 1.0, 4 in 2.0, little-endian), the header, then the raw values.
// The header is a Python dict literal, `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`, padded
// with spaces and a final '\n' so that the values start at a multiple of 64 bytes. Written byte for byte as
// NumPy's np.save writes it (including the spare spaces it leaves for growing the first axis).
import { BYTES_PER_VALUE, checkBytes, checkDtype, readFloats, writeFloats, type FloatArray, type FloatDtype } from './bytes.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const DESCR: Record<FloatDtype, string> = { float64: '<f8', float32: '<f4' };
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Python's repr of a shape tuple: (), (3,), (2, 3). */
const tuple = (shape: readonly number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

export function encodeNpy(data: Float64Array, shape: readonly number[], dtype: unknown = 'float64'): Uint8Array {
  const type = checkDtype('toNpy', dtype);
  // NumPy leaves room for the first axis to grow to 21 digits, then pads to 64 bytes, ending with '\n'.
  const dict = `{'descr': '${DESCR[type]}', 'fortran_order': False, 'shape': ${tuple(shape)}, }` +
    (shape.length > 0 ? ' '.repeat(Math.max(0, 21 - String(shape[0]).length)) : '');
  const padded = (prefix: number): string => dict + ' '.repeat(64 - ((prefix + dict.length + 1) % 64)) + '\n';
  const version = padded(10).length <= 0xffff ? 1 : 2; // version 2.0 only when the header outgrows 2 bytes
  const prefix = version === 1 ? 10 : 12;
  const header = padded(prefix);
  const out = new Uint8Array(prefix + header.length + data.length * BYTES_PER_VALUE[type]);
  out.set(MAGIC);
  out[6] = version;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  writeFloats(out, prefix + header.length, data, type);
  return out;
}

export function decodeNpy(bytes: Uint8Array): FloatArray {
  const fail = (why: string): Error => new Error(`fromNpy: ${why}`);
  checkBytes('fromNpy', bytes);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw fail('not a .npy file: it does not start with the magic string "\\x93NUMPY"');
  if (bytes.length < 10) throw fail(`file of ${bytes.length} bytes ends inside its version and header length`);
  const [major, minor] = [bytes[6], bytes[7]];
  if ((major !== 1 && major !== 2) || minor !== 0) throw fail(`version ${major}.${minor} is not supported (1.0 and 2.0 are)`);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw fail(`file of ${bytes.length} bytes ends inside its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (prefix + headerLength > bytes.length) {
    throw fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes, header from byte ${prefix})`);
  }
  const { descr, fortranOrder, shape } = parseHeader(latin1(bytes.subarray(prefix, prefix + headerLength)).trim());
  const dtype = (Object.keys(DESCR) as FloatDtype[]).find((t) => DESCR[t] === descr);
  if (dtype === undefined) throw fail(`header descr '${descr}' is not supported (only '<f8', float64, and '<f4', float32)`);
  if (fortranOrder) throw fail('header says fortran_order True; only C-order arrays are read (save np.ascontiguousarray(a))');
  const size = shape.reduce((n, d) => n * d, 1);
  const start = prefix + headerLength;
  const expected = size * BYTES_PER_VALUE[dtype];
  if (bytes.length - start !== expected) {
    throw fail(`data has ${bytes.length - start} bytes, but shape ${tuple(shape)} of '${descr}' needs ${expected}`);
  }
  return { data: readFloats(bytes, start, size, dtype), shape };
}

/** The three entries of the header dict, each once, nothing else; shape a tuple of non-negative ints. */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const fail = (why: string): Error => new Error(`fromNpy: header dict ${why}: ${JSON.stringify(text)}`);
  const body = /^\{(.*)\}$/s.exec(text)?.[1];
  if (body === undefined) throw fail('is not a {…} literal');
  const entries = new Map<string, string>();
  // 'key': value, where a value is a quoted string, True/False or a tuple of ints; commas between, one may trail.
  const entry = /\s*'(\w+)'\s*:\s*('[^']*'|True|False|\([\d\s,]*\))\s*/y;
  for (let pos = 0; body.slice(pos).trim() !== '';) {
    entry.lastIndex = pos;
    const m = entry.exec(body);
    if (m === null) throw fail(`is malformed at '${body.slice(pos).trim()}'`);
    if (entries.has(m[1])) throw fail(`repeats the key '${m[1]}'`);
    entries.set(m[1], m[2]);
    pos = entry.lastIndex;
    if (body[pos] === ',') pos++;
    else if (body.slice(pos).trim() !== '') throw fail(`lacks a comma before '${body.slice(pos).trim()}'`);
  }
  const keys = [...entries.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') throw fail(`must have exactly the keys descr, fortran_order, shape (has ${keys || 'none'})`);
  const descr = entries.get('descr')!, order = entries.get('fortran_order')!, shape = entries.get('shape')!;
  if (!descr.startsWith("'")) throw fail(`descr must be a string, got ${descr}`);
  if (order !== 'True' && order !== 'False') throw fail(`fortran_order must be True or False, got ${order}`);
  // (), (3,), (2, 3) or (2, 3,): a one-element tuple needs its comma, as in Python.
  if (!/^\(\s*(\d+\s*,\s*)*(\d+\s*,?\s*)?\)$/.test(shape) || /^\(\s*\d+\s*\)$/.test(shape)) throw fail(`shape must be a tuple of ints, got ${shape}`);
  return { descr: descr.slice(1, -1), fortranOrder: order === 'True', shape: [...shape.matchAll(/\d+/g)].map((m) => Number(m[0])) };
}
