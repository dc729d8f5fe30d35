// Ops that move values without changing them: their backward moves the gradient back.
import { alloc } from '../../tensor/alloc.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { permute as permuteKernel } from '../../tensor/kernels.ts';
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
  return record(out, 'reshape', [x], (g) => {
    const gx = gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i];
  });
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
  const out = new Tensor(alloc(x.size), shape);
  permuteKernel(x.data, x.shape, perm, out.data);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(out, 'permute', [x], (g) => permuteKernel(g, shape, inverse, gradOf(x), true));
}
