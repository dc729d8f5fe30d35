// Derivatives of a function, like torch.autograd.functional: vector-Jacobian products and the Jacobian (reverse
// mode), the Hessian (for small problems) and Hessian-vector products, from gradients taken with createGraph and
// differentiated again.
import { fmt, sameShape } from '../tensor/shape.ts';
import { Tensor } from './tensor.ts';
import { describe } from './op.ts';
import { grad } from './backward.ts';

type Fn = (...xs: Tensor[]) => Tensor;

/** Fresh leaves with the inputs' values (shared storage), so the user's tensors and their .grad are untouched. */
function leavesOf(op: string, inputs: Tensor | Tensor[]): Tensor[] {
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  return xs.map((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`${op}: input ${i} must be a tensor, got ${describe(x)}`);
    const leaf = x.detach();
    leaf.requiresGrad = true;
    return leaf;
  });
}

function scalarOutput(op: string, fn: Fn, xs: Tensor[]): Tensor {
  if (typeof fn !== 'function') throw new Error(`${op}: fn must be a function, got ${describe(fn)}`);
  const out = fn(...xs);
  if (!(out instanceof Tensor) || out.size !== 1) {
    throw new Error(`${op}: fn must return a one-element tensor, got ${out instanceof Tensor ? `shape ${fmt(out.shape)}` : describe(out)}`);
  }
  return out;
}

/** ∇fn at xs, as a graph (createGraph) so that it can be differentiated again; zeros where fn does not use an input. */
function gradientGraph(out: Tensor, xs: Tensor[]): Tensor[] {
  return grad(out, xs, { createGraph: true, allowUnused: true }).map((g, i) => g ?? Tensor.from(new Float64Array(xs[i].size), [...xs[i].shape]));
}

/**
 * The Hessian of a function returning one value, at `inputs` (as torch.autograd.functional.hessian): for one input
 * of shape S, a tensor of shape [...S, ...S]. One backward pass per input element, so for small problems; the
 * inputs and their .grad are left alone.
 *
 * @example
 * ```ts
 * hessian((x) => x.pow(3).sum(), tensor([1, 2])) // [[6, 0], [0, 12]]
 * hessian((x) => x.matmul(x.T).sum(), tensor([[1, 2]])).shape // [1, 2, 1, 2]
 * ```
 */
export function hessian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor): Tensor;
/**
 * The Hessian of a function of several inputs returning one value: blocks H[i][j] = ∂²fn/∂inputs[i]∂inputs[j], each
 * of shape [...Si, ...Sj].
 *
 * @example
 * ```ts
 * hessian((x, y) => x.mul(y).sum(), [tensor([1]), tensor([2])]) // [[[[0]], [[1]]], [[[1]], [[0]]]]
 * ```
 */
export function hessian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor[][];
export function hessian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[]): Tensor | Tensor[][] {
  const xs = leavesOf('hessian', inputs);
  const g = gradientGraph(scalarOutput('hessian', fn, xs), xs);
  const blocks = xs.map((xi) => xs.map((xj) => new Float64Array(xi.size * xj.size)));
  xs.forEach((xi, i) => {
    if (!g[i].requiresGrad) return; // ∂f/∂xi does not depend on any input: its rows are 0
    for (let k = 0; k < xi.size; k++) {
      const e = Tensor.from(new Float64Array(xi.size), [...xi.shape]);
      e.data[k] = 1; // row k of block row i: ∂(∂f/∂xi[k])/∂xj for every j
      const rows = grad(g[i], xs, { gradOutputs: e, retainGraph: true, allowUnused: true });
      rows.forEach((r, j) => { if (r !== null) blocks[i][j].set(r.data, k * xs[j].size); });
    }
  });
  const H = blocks.map((row, i) => row.map((b, j) => Tensor.from(b, [...xs[i].shape, ...xs[j].shape])));
  return Array.isArray(inputs) ? H : H[0][0];
}

/**
 * The value of `fn` (returning one value) at `inputs`, and the Hessian-vector product H·v there (v of the input's
 * shape), in two backward passes without forming H (as torch.autograd.functional.hvp).
 *
 * @example
 * ```ts
 * const [value, Hv] = hvp((x) => x.pow(3).sum(), tensor([1, 2]), tensor([1, 1]));
 * value.item() // 9
 * Hv // [6, 12]
 * ```
 */
export function hvp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor, v: Tensor): [Tensor, Tensor];
/** hvp for a function of several inputs: v holds one tensor per input, of its shape, and so does H·v. */
export function hvp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], v: Tensor[]): [Tensor, Tensor[]];
export function hvp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[], v: Tensor | Tensor[]): [Tensor, Tensor | Tensor[]] {
  const xs = leavesOf('hvp', inputs);
  const vs = Array.isArray(v) ? v : [v];
  if (vs.length !== xs.length) throw new Error(`hvp: got ${vs.length} vectors for ${xs.length} inputs`);
  vs.forEach((vi, i) => {
    if (!(vi instanceof Tensor) || !sameShape(vi.shape, xs[i].shape)) {
      throw new Error(`hvp: v[${i}] must be a tensor of the input's shape ${fmt(xs[i].shape)}, got ${vi instanceof Tensor ? fmt(vi.shape) : describe(vi)}`);
    }
  });
  const out = scalarOutput('hvp', fn, xs);
  const g = gradientGraph(out, xs);
  const hv = grad(g.filter((gi) => gi.requiresGrad), xs, { gradOutputs: vs.filter((_, i) => g[i].requiresGrad), allowUnused: true })
    .map((r, i) => r ?? Tensor.from(new Float64Array(xs[i].size), [...xs[i].shape]));
  return [out.detach(), Array.isArray(inputs) ? hv : hv[0]];
}

/** fn's output at xs, checked: a tensor. */
function tensorOutput(op: string, fn: Fn, xs: Tensor[]): Tensor {
  if (typeof fn !== 'function') throw new Error(`${op}: fn must be a function, got ${describe(fn)}`);
  const out = fn(...xs);
  if (!(out instanceof Tensor)) throw new Error(`${op}: fn must return a tensor, got ${describe(out)}`);
  return out;
}

const zerosLike = (x: Tensor): Tensor => Tensor.from(new Float64Array(x.size), [...x.shape]);

/**
 * fn's output at `inputs` and its vector-Jacobian product function, like `torch.func.vjp`: `vjpFn(v)` (v shaped like
 * the output) returns vᵀ·∂fn/∂xᵢ for each input, shaped like it (zeros where fn does not use an input). vjpFn may be
 * called many times; each call is one backward pass.
 *
 * @example
 * ```ts
 * const [y, vjpFn] = vjp((x) => x.square(), tensor([1, 2]));
 * y // [1, 4]
 * vjpFn(tensor([1, 1])) // [2, 4]
 * ```
 */
export function vjp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor): [Tensor, (v: Tensor) => Tensor];
export function vjp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): [Tensor, (v: Tensor) => Tensor[]];
export function vjp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[]): [Tensor, (v: Tensor) => Tensor | Tensor[]] {
  const xs = leavesOf('vjp', inputs);
  const out = tensorOutput('vjp', fn, xs);
  const vjpFn = (v: Tensor): Tensor | Tensor[] => {
    if (!(v instanceof Tensor) || !sameShape(v.shape, out.shape)) {
      throw new Error(`vjp: v must be a tensor of the output's shape ${fmt(out.shape)}, got ${v instanceof Tensor ? fmt(v.shape) : describe(v)}`);
    }
    const gs = out.requiresGrad ? grad(out, xs, { gradOutputs: v, retainGraph: true, allowUnused: true }) : xs.map(() => null);
    const r = gs.map((g, i) => g ?? zerosLike(xs[i]));
    return Array.isArray(inputs) ? r : r[0];
  };
  return [out.detach(), vjpFn];
}

/**
 * The Jacobian of fn at `inputs` by reverse mode, like `torch.autograd.functional.jacobian`: for one input of shape
 * S and an output of shape O, a tensor of shape [...O, ...S]; for an array of inputs, one such block per input. One
 * backward pass per output element, so for small outputs.
 *
 * @example
 * ```ts
 * jacobian((x) => x.square(), tensor([1, 2])) // [[2, 0], [0, 4]]
 * ```
 */
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor): Tensor;
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor[];
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[]): Tensor | Tensor[] {
  const xs = leavesOf('jacobian', inputs);
  const out = tensorOutput('jacobian', fn, xs);
  const blocks = xs.map((x) => new Float64Array(out.size * x.size));
  for (let k = 0; k < out.size && out.requiresGrad; k++) {
    const e = zerosLike(out);
    e.data[k] = 1; // row k: ∂out[k]/∂xᵢ for every input
    grad(out, xs, { gradOutputs: e, retainGraph: true, allowUnused: true }).forEach((g, i) => {
      if (g !== null) blocks[i].set(g.data, k * xs[i].size);
    });
  }
  const J = blocks.map((b, i) => Tensor.from(b, [...out.shape, ...xs[i].shape]));
  return Array.isArray(inputs) ? J : J[0];
}
