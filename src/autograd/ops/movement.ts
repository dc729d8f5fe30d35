// Ops that move values without changing them: their backward moves the gradient back.
import { alloc } from '../../tensor/alloc.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { addInto, broadcast, FORWARD, GRAD_A, strided, type Binary } from '../../tensor/kernels.ts';
import { fmt, sizeOf } from '../../tensor/shape.ts';
import { gradOf, record } from '../graph.ts';

/** Same buffer, new shape (one dim may be -1); the gradient is the incoming one, reshaped back. */
export function reshape(x: Tensor, dims: number[]): Tensor {
  const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const free = dims.filter((d) => d === -1).length;
  const shape = dims.map((d) => (d === -1 ? x.size / known : d));
  if (free > 1 || !shape.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(shape) !== x.size) {
    throw new Error(`reshape: cannot view shape ${fmt(x.shape)} (${x.size} elements) as ${fmt(dims)}`);
  }
  const out = new Tensor(x.data, shape);
  return record(out, 'reshape', [x], (g) => addInto(gradOf(x), g));
}

/** Reorder the axes (a copy, so every tensor stays contiguous); backward applies the inverse order. */
export function permute(x: Tensor, dims: number[]): Tensor {
  const nd = x.ndim;
  const seen = new Set(dims.map((d) => (d < 0 ? d + nd : d)));
  if (dims.length !== nd || seen.size !== nd || [...seen].some((d) => !Number.isInteger(d) || d < 0 || d >= nd)) {
    throw new Error(`permute: ${fmt(dims)} is not a permutation of the ${nd} axes of shape ${fmt(x.shape)}`);
  }
  const perm = [...seen];
  const shape = perm.map((p) => x.shape[p]);
  const strides = x.shape.map((_, d) => sizeOf(x.shape.slice(d + 1)));
  // The broadcasting kernel with x read through permuted strides: y[o] = x[i] forward, gx[i] += g[o] backward.
  const w = strided(shape, perm.map((p) => strides[p]), shape.map(() => 0));
  const out = new Tensor(alloc(x.size), shape);
  broadcast(FORWARD, COPY, w, x.data, NOTHING, out.data);
  return record(out, 'permute', [x], (g) => broadcast(GRAD_A, COPY, w, x.data, NOTHING, out.data, g, gradOf(x)));
}

const COPY: Binary = { f: (a) => a, da: () => 1, db: () => 0 };
const NOTHING = new Float64Array(1); // the unused second operand
