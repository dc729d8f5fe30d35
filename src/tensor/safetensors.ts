// The safetensors file (huggingface/safetensors), as its reference implementation writes and checks it:
//   8 bytes   N, the header's length: an unsigned 64-bit little-endian integer;
//   N bytes   the header: UTF-8 JSON, {"__metadata__": {string: string}, "name": {"dtype": "F64", "shape": [2, 3],
//             "data_offsets": [begin, end]}, …}, padded with spaces to a multiple of 8 bytes;
//   the rest  the tensors' raw little-endian bytes; offsets count from the end of the header, and the tensors
//             tile the rest exactly: no gap, no overlap, nothing after the last.
// Here tensors are written as F64, F32 or I64 (counts, as PyTorch's num_batches_tracked), laid out in the order
// given; F64, F32, I64, I32 and BOOL are read, into float64.
import { BYTES_PER_VALUE, checkBytes, checkDtype, readFloats, writeFloats, type FloatArray, type FloatDtype } from './bytes.ts';

/** The dtypes read, by their names here; the integers are PyTorch's counts (int64, int32) and masks (bool). */
export type FileDtype = FloatDtype | 'int64' | 'int32' | 'bool';
const DTYPE: Record<FileDtype, string> = { float64: 'F64', float32: 'F32', int64: 'I64', int32: 'I32', bool: 'BOOL' };
const BYTES: Record<FileDtype, number> = { ...BYTES_PER_VALUE, int64: 8, int32: 4, bool: 1 };
const METADATA = '__metadata__';

export interface SafetensorsContents {
  tensors: Map<string, FloatArray & { dtype: FileDtype }>;
  metadata: Record<string, string>;
}

/** A tensor to write: its values, shape, and 'int64' for a count (written as I64; the others take the file's dtype). */
export interface TensorToWrite { readonly data: Float64Array; readonly shape: readonly number[]; readonly dtype?: 'int64' }

export function encodeSafetensors(
  tensors: readonly (readonly [string, TensorToWrite])[],
  opts: { dtype?: unknown; metadata?: unknown } = {},
): Uint8Array {
  const fail = (why: string): Error => new Error(`saveSafetensors: ${why}`);
  const dtype = checkDtype('saveSafetensors', opts.dtype);
  const metadata = opts.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw fail('metadata must be an object of strings');
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw fail(`metadata '${k}' must be a string (safetensors stores string → string), got ${typeof v}`);
  }
  // Written entry by entry: a JS object would put integer-like names ('0', '1') first, out of layout order.
  const entries: string[] = Object.keys(metadata).length > 0 ? [`${JSON.stringify(METADATA)}:${JSON.stringify(metadata)}`] : [];
  let end = 0;
  for (const [name, t] of tensors) {
    if (name === METADATA) throw fail(`a tensor cannot be named '${METADATA}' (the header's key for metadata)`);
    const bad = t.dtype === 'int64' ? t.data.find((v) => !(Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63)) : undefined;
    if (bad !== undefined) throw fail(`tensor '${name}' is stored as int64 but holds ${bad}, not an integer in the int64 range`);
    const begin = end;
    end += t.data.length * BYTES[t.dtype ?? dtype];
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: DTYPE[t.dtype ?? dtype], shape: t.shape, data_offsets: [begin, end] })}`);
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8; // spaces pad it to a multiple of 8, as the reference does
  const out = new Uint8Array(8 + headerLength + end);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let offset = 8 + headerLength;
  for (const [, t] of tensors) {
    if (t.dtype === 'int64') {
      const view = new DataView(out.buffer, offset, 8 * t.data.length);
      for (let i = 0; i < t.data.length; i++) view.setBigInt64(8 * i, BigInt(t.data[i]), true);
    } else {
      writeFloats(out, offset, t.data, dtype);
    }
    offset += t.data.length * BYTES[t.dtype ?? dtype];
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const fail = (why: string): Error => new Error(`loadSafetensors: ${why}`);
  checkBytes('loadSafetensors', bytes);
  if (bytes.length < 8) throw fail(`file of ${bytes.length} bytes is shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  const headerLength = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw fail(`header (bytes 8 to ${8 + headerLength}) is not UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header JSON is not an object');

  const metadata: Record<string, string> = {};
  const tensors: ({ name: string } & ReturnType<typeof tensorInfo>)[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA) {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fail('header __metadata__ is not an object');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw fail(`header __metadata__ '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.push({ name, ...tensorInfo(name, info, fail) });
  }

  // Sorted by offset, the tensors must tile the data: each begins where the previous ended, the last ends at the end.
  const dataLength = bytes.length - 8 - headerLength;
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0;
  for (const t of tensors) {
    if (t.end > dataLength) throw fail(`tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] run past the end of the data (${dataLength} bytes)`);
    if (t.begin !== end) {
      throw fail(`tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] ${t.begin < end ? 'overlap the previous tensor' : 'leave a gap after the previous tensor'} (which ends at ${end})`);
    }
    end = t.end;
  }
  if (end !== dataLength) throw fail(`data has ${dataLength - end} bytes after the last tensor (tensors cover ${end} of ${dataLength})`);

  const out: SafetensorsContents['tensors'] = new Map();
  for (const t of tensors) {
    const size = (t.end - t.begin) / BYTES[t.dtype], at = 8 + headerLength + t.begin;
    const data = t.dtype === 'float64' || t.dtype === 'float32' ? readFloats(bytes, at, size, t.dtype) : readIntegers(bytes, at, size, t.dtype, t.name, fail);
    out.set(t.name, { data, shape: t.shape, dtype: t.dtype });
  }
  return { tensors: out, metadata };
}

/** Integers as float64 values, exactly: an int64 that float64 cannot hold (beyond ±2^53, odd) is refused, and a
 *  bool byte must be 0 or 1. */
function readIntegers(bytes: Uint8Array, offset: number, count: number, dtype: 'int64' | 'int32' | 'bool', name: string, fail: (why: string) => Error): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * BYTES[dtype]);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if (dtype === 'int64') {
      const v = view.getBigInt64(8 * i, true);
      data[i] = Number(v);
      if (BigInt(data[i]) !== v) throw fail(`tensor '${name}': I64 value ${v} (element ${i}) is not exactly a float64 (beyond ±2^53)`);
    } else {
      data[i] = dtype === 'int32' ? view.getInt32(4 * i, true) : view.getUint8(i);
      if (data[i] > 1 && dtype === 'bool') throw fail(`tensor '${name}': BOOL byte ${data[i]} (element ${i}) is neither 0 nor 1`);
    }
  }
  return data;
}

/** One tensor's header entry, checked: a known dtype, a shape of non-negative ints and offsets that fit it. */
function tensorInfo(name: string, info: unknown, fail: (why: string) => Error): { dtype: FileDtype; shape: number[]; begin: number; end: number } {
  const at = `tensor '${name}'`;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fail(`${at}: header entry is not an object`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  const dtype = (Object.keys(DTYPE) as FileDtype[]).find((t) => DTYPE[t] === code);
  if (dtype === undefined) throw fail(`${at}: dtype ${JSON.stringify(code)} is not supported (F64, F32, I64, I32 and BOOL are)`);
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(count)) throw fail(`${at}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(count) || offsets[0] > offsets[1]) {
    throw fail(`${at}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const size = (shape as number[]).reduce((n, d) => n * d, 1);
  if (end - begin !== size * BYTES[dtype]) {
    throw fail(`${at}: shape ${JSON.stringify(shape)} of ${code} needs ${size * BYTES[dtype]} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { dtype, shape: shape as number[], begin, end };
}
