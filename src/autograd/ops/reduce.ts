// Reductions. Summing is the backward of broadcasting, so sum reuses the broadcasting kernel both ways:
// forward accumulates the input into the kept-dims output through zero strides, backward expands g back.
import { alloc } from '../../tensor/alloc.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { broadcast, FORWARD, GRAD_B, maxAlong, walk } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, sizeOf } from '../../tensor/shape.ts';
import { gradOf, record } from '../graph.ts';
import { ADD } from './elementwise.ts';

/** Axes to reduce (all when omitted), validated and sorted. */
function axesOf(op: string, x: Tensor, axis?: number | number[]): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => normalizeAxis(op, a, x.shape));
  if (new Set(axes).size !== axes.length) throw new Error(`${op}: repeated axis in ${fmt([axis].flat())} for shape ${fmt(x.shape)}`);
  return axes.sort((p, q) => p - q);
}

/** The reduced shape: with the axes kept as 1 (for broadcasting), and as returned to the user. */
function reducedShapes(x: Tensor, axes: number[], keepdim: boolean): [number[], number[]] {
  if (axes.length === x.ndim) { // everything: the common case of a loss, without the searches below
    const ones = new Array<number>(x.ndim).fill(1);
    return [ones, keepdim ? ones : []];
  }
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return [kept, keepdim ? kept : x.shape.filter((_, i) => !axes.includes(i))];
}

export function sum(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  const [kept, shape] = reducedShapes(x, axesOf('sum', x, axis), keepdim);
  const w = walk('sum', x.shape, kept);
  const out = new Tensor(alloc(sizeOf(kept)), shape);
  broadcast(GRAD_B, ADD, w, x.data, out.data, x.data, x.data, out.data); // out[j] += x[i]·∂(a+b)/∂b
  return record(out, 'sum', [x], (g) => {
    const gx = gradOf(x);
    broadcast(FORWARD, ADD, w, gx, g, gx); // gx[i] = gx[i] + g[j]
  });
}

export function mean(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  const axes = axesOf('mean', x, axis);
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  return sum(x, axes, keepdim).div(n);
}

/** Max over one axis (or all elements); the gradient flows to the element that was the max. */
export function max(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (x.size === 0) throw new Error(`max: cannot reduce an empty tensor of shape ${fmt(x.shape)}`);
  const axes = axesOf('max', x, axis);
  const a = axes[0] ?? 0;
  const [outer, n, inner] = axis === undefined
    ? [1, x.size, 1]
    : [sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1))];
  const [, shape] = reducedShapes(x, axes, keepdim);
  const out = new Tensor(alloc(outer * inner), shape);
  const arg = new Int32Array(outer * inner);
  maxAlong(x.data, outer, n, inner, out.data, arg);
  return record(out, 'max', [x], (g) => {
    const gx = gradOf(x);
    for (let k = 0; k < arg.length; k++) gx[arg[k]] += g[k];
  });
}
