// Derivatives of a function, like torch.autograd.functional and torch.func: Jacobian-vector products (forward mode,
// one pass carrying tangents), vector-Jacobian products (reverse mode), the Jacobian by either, the Hessian (for
// small problems) and Hessian-vector products, from gradients taken with createGraph and differentiated again.
import { fmt, sameShape } from '../tensor/shape.ts';
import { Tensor } from './tensor.ts';
import { describe } from './op.ts';
import { grad } from './backward.ts';
import { reshape } from './ops/movement.ts';
import { setTangents, tangents as carried, tape } from './state.ts';

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

/** Options of {@link jacobian}. */
export interface JacobianOptions {
  /** 'reverse' (the default, torch's jacrev: one backward pass per output element) or 'forward' (jacfwd: one jvp
   *  per input element); the cheaper is the one with fewer passes. */
  mode?: 'reverse' | 'forward';
}

/**
 * The Jacobian of fn at `inputs`, like `torch.autograd.functional.jacobian`: for one input of shape S and an output
 * of shape O, a tensor of shape [...O, ...S]; for an array of inputs, one such block per input. By reverse mode (one
 * backward pass per output element) unless `{ mode: 'forward' }` (one jvp per input element), so for small problems.
 *
 * @example
 * ```ts
 * jacobian((x) => x.square(), tensor([1, 2])) // [[2, 0], [0, 4]]
 * jacobian((x) => x.square().sum(), tensor([1, 2]), { mode: 'forward' }) // [2, 4]
 * ```
 */
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor, opts?: JacobianOptions): Tensor;
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: JacobianOptions): Tensor[];
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[], opts: JacobianOptions = {}): Tensor | Tensor[] {
  if (typeof opts !== 'object' || opts === null) throw new Error(`jacobian: options must be an object, got ${describe(opts)}`);
  const { mode = 'reverse' } = opts;
  if (mode !== 'reverse' && mode !== 'forward') throw new Error(`jacobian: mode must be 'reverse' or 'forward', got ${describe(mode)}`);
  if (mode === 'forward') return jacobianForward(fn, inputs);
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

/** jacobian by forward mode: column k of block i is the jvp along the k-th unit vector of input i. */
function jacobianForward(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor | Tensor[]): Tensor | Tensor[] {
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  const zeros = listOf('jacobian', 'input', xs).map(zerosLike);
  let outShape: readonly number[] = [];
  const blocks = xs.map((x, i) => {
    let block: Float64Array | null = null;
    for (let k = 0; k < x.size; k++) {
      const e = zerosLike(x);
      e.data[k] = 1;
      const [out, column] = jvp(fn, xs, zeros.map((z, j) => (j === i ? e : z)));
      if (Array.isArray(out) || Array.isArray(column)) throw new Error('jacobian: fn must return one tensor');
      outShape = out.shape;
      block ??= new Float64Array(out.size * x.size);
      const c = column.data;
      for (let o = 0; o < c.length; o++) block[o * x.size + k] = c[o];
    }
    return block;
  });
  if (xs.some((x) => x.size === 0)) outShape = tensorOutput('jacobian', fn, xs).shape; // no column to learn it from
  const J = blocks.map((b, i) => Tensor.from(b ?? new Float64Array(0), [...outShape, ...xs[i].shape]));
  return Array.isArray(inputs) ? J : J[0];
}

function listOf(op: string, what: string, ts: unknown[]): Tensor[] {
  ts.forEach((t, i) => { if (!(t instanceof Tensor)) throw new Error(`${op}: ${what} ${i} must be a tensor, got ${describe(t)}`); });
  return ts as Tensor[];
}

/**
 * fn's output at `primals` and its Jacobian-vector product along `tangents` (one per primal, of its shape), like
 * `torch.func.jvp`: the directional derivative ∂fn·t, computed in the same forward pass, each op carrying the
 * tangent of its output beside its value (forward mode; an op without a tangent rule is refused by name). fn may
 * return one tensor or an array; the tangents come back in the same form. It composes with reverse mode: a jvp of a
 * gradient is a Hessian-vector product (forward-over-reverse), and the result can be differentiated by backward.
 *
 * @example
 * ```ts
 * const [y, dy] = jvp((x) => x.square().sum(), [tensor([1, 2])], [tensor([1, 0])]);
 * y.item() // 5
 * dy.item() // 2
 * ```
 */
export function jvp(fn: (...xs: Tensor[]) => Tensor, primals: Tensor | Tensor[], tangents: Tensor | Tensor[]): [Tensor, Tensor];
/** jvp of a function returning several tensors: their tangents, in the same order. */
export function jvp(fn: (...xs: Tensor[]) => Tensor[], primals: Tensor | Tensor[], tangents: Tensor | Tensor[]): [Tensor[], Tensor[]];
export function jvp(fn: (...xs: Tensor[]) => Tensor | Tensor[], primals: Tensor | Tensor[], tangents: Tensor | Tensor[]): [Tensor | Tensor[], Tensor | Tensor[]] {
  if (typeof fn !== 'function') throw new Error(`jvp: fn must be a function, got ${describe(fn)}`);
  if (carried !== null) throw new Error('jvp: jvp inside jvp (forward over forward) is not supported; nest jvp with grad instead');
  if (tape !== null) throw new Error('jvp: cannot run while compile() traces a step (a replay would not carry tangents)');
  const xs = listOf('jvp', 'primal', Array.isArray(primals) ? primals : [primals]);
  const ts = listOf('jvp', 'tangent', Array.isArray(tangents) ? tangents : [tangents]);
  if (ts.length !== xs.length) throw new Error(`jvp: got ${ts.length} tangents for ${xs.length} primals`);
  ts.forEach((t, i) => {
    if (!sameShape(t.shape, xs[i].shape)) throw new Error(`jvp: tangent ${i} has shape ${fmt(t.shape)}, but its primal has shape ${fmt(xs[i].shape)}`);
  });
  // Each primal enters as a view of itself (in the graph, so reverse mode still reaches the user's tensor), which
  // alone carries the tangent: the same tensor captured by fn from outside is a constant, as in torch.func.
  const views = xs.map((x) => reshape(x, x.shape));
  const known = new Map<object, unknown>(views.map((v, i) => [v, ts[i]]));
  const prev = setTangents(known);
  let out: unknown;
  try {
    out = fn(...views);
  } finally {
    setTangents(prev);
  }
  const outs = Array.isArray(out) ? out : [out];
  const dOut = listOf('jvp', 'output', outs).map((o) => (known.get(o) as Tensor | undefined) ?? zerosLike(o));
  return [out as Tensor | Tensor[], Array.isArray(out) ? dOut : dOut[0]];
}
