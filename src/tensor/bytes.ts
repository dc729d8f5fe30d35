// Float values as files store them: little-endian float64 or float32, packed, whatever the host's byte order.
import { show } from './shape.ts';

/** The float types of .npy and .safetensors files: float64 (bit for bit), or float32 (each value rounded to nearest). */
export type FloatDtype = 'float64' | 'float32';

/** What a file holds for one array, read into float64: the values in row-major order and the shape. */
export interface FloatArray {
  data: Float64Array;
  shape: number[];
}

export const BYTES_PER_VALUE: Record<FloatDtype, number> = { float64: 8, float32: 4 };

/** The dtype option of a writer, checked: 'float64' (the default) or 'float32'. */
export function checkDtype(fn: string, dtype: unknown = 'float64'): FloatDtype {
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`${fn}: dtype must be 'float64' or 'float32', got ${typeof dtype === 'string' ? JSON.stringify(dtype) : show(dtype)}`);
  return dtype;
}

/** Write `data` into `out` from byte `offset`; float32 rounds each value to nearest (Math.fround). */
export function writeFloats(out: Uint8Array, offset: number, data: Float64Array, dtype: FloatDtype): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, data.length * BYTES_PER_VALUE[dtype]);
  if (dtype === 'float64') for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
}

/** Read `count` values from byte `offset` of `bytes` (the caller has checked that they are there). */
export function readFloats(bytes: Uint8Array, offset: number, count: number, dtype: FloatDtype): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * BYTES_PER_VALUE[dtype]);
  const data = new Float64Array(count);
  if (dtype === 'float64') for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
  else for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
  return data;
}

/** Throw unless `bytes` is a Uint8Array (a Node Buffer is one). */
export function checkBytes(fn: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    const got = typeof bytes === 'object' && bytes !== null ? (bytes.constructor?.name ?? 'object') : typeof bytes;
    throw new Error(`${fn}: expected the file's bytes as a Uint8Array, got ${got}`);
  }
}
