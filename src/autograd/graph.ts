// The dynamic graph: how ops record themselves, and the one backward walk.
import { alloc } from '../tensor/alloc.ts';
import { addInto } from '../tensor/kernels.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt, sameShape } from '../tensor/shape.ts';

/** How a tensor was made: the op's name, its inputs, and the closure that pushes a gradient back to them. */
export interface Node {
  readonly op: string;
  inputs: readonly Tensor[];
  /** Accumulates ∂loss/∂input into gradOf(input) for each input that requires grad; null once released. */
  backward: ((g: Float64Array) => void) | null;
}

let gradEnabled = true;

/** Run fn without recording a graph (for updates and evaluation), like torch.no_grad(). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Attach an op's backward to its output when grad mode is on and some input requires grad. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: (g: Float64Array) => void): Tensor {
  if (!gradEnabled) return out;
  for (const x of inputs) {
    if (x.requiresGrad) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward };
      return out;
    }
  }
  return out;
}

/**
 * The buffer that collects ∂loss/∂t during the current walk. Leaves accumulate straight into their
 * `.grad` (so gradients add up across backward() calls, as in PyTorch); intermediates get a scratch buffer.
 */
export function gradOf(t: Tensor): Float64Array {
  if (t.gradBuffer === null) {
    if (t.node === null) t.grad ??= new Tensor(alloc(t.size), t.shape);
    t.gradBuffer = t.node === null ? t.grad!.data : takeZeroed(t.size);
  }
  return t.gradBuffer;
}

// Intermediate gradients live only until their op's backward has run; recycling them by size spares the
// allocator and the GC. Free lists are indexed by length (a Map only for large buffers, which are few).
const POOL_DEPTH = 32, INDEXED = 64;
const small: Float64Array[][] = Array.from({ length: INDEXED + 1 }, () => []);
const large = new Map<number, Float64Array[]>();
const freeList = (n: number): Float64Array[] => {
  if (n <= INDEXED) return small[n];
  let list = large.get(n);
  if (list === undefined) large.set(n, (list = []));
  return list;
};

function takeZeroed(n: number): Float64Array {
  const b = freeList(n).pop();
  if (b === undefined) return alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0;
  return b;
}

function recycle(b: Float64Array): void {
  const list = freeList(b.length);
  if (list.length < POOL_DEPTH) list.push(b);
}

let epoch = 0;
const NO_INPUTS: readonly Tensor[] = [];

/** Tensors that `root` depends on and that require grad, inputs before the tensors made from them. */
function topoSort(root: Tensor): Tensor[] {
  const mark = ++epoch;
  const order: Tensor[] = [];
  const stack: Tensor[] = [root];
  const next: number[] = [0]; // which input of stack[k] to visit next: iterative, so deep chains cannot overflow
  root.mark = mark;
  while (stack.length > 0) {
    const top = stack.length - 1, t = stack[top], node = t.node;
    if (node !== null && node.backward === null) {
      throw new Error(`backward: the graph through '${node.op}' ${fmt(t.shape)} was already freed by an earlier backward(); ` +
        'pass { retainGraph: true } to the first backward() to walk it again');
    }
    const inputs = node === null ? NO_INPUTS : node.inputs;
    if (next[top] < inputs.length) {
      const x = inputs[next[top]++];
      if (x.requiresGrad && x.mark !== mark) {
        x.mark = mark;
        stack.push(x);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

export interface BackwardOptions {
  /** Keep the graph so that backward() can walk it again. */
  retainGraph?: boolean;
}

/** Reverse-mode differentiation from `root`, seeded with `seed` (default 1 for a scalar). */
export function backward(root: Tensor, seed?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor of shape ${fmt(root.shape)} does not require grad (no input had requiresGrad: true, or it was made inside noGrad)`);
  }
  if (seed === undefined && root.size !== 1) {
    throw new Error(`backward: output of shape ${fmt(root.shape)} is not a scalar; pass a seed gradient of the same shape, as in t.backward(ones(${fmt(root.shape)}))`);
  }
  if (seed !== undefined && !sameShape(seed.shape, root.shape)) {
    throw new Error(`backward: seed gradient of shape ${fmt(seed.shape)} does not match the output shape ${fmt(root.shape)}`);
  }
  const order = topoSort(root);
  const g0 = gradOf(root);
  if (seed === undefined) g0[0] += 1;
  else addInto(g0, seed.data);

  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k], node = t.node, g = t.gradBuffer;
    t.gradBuffer = null;
    if (node === null) continue; // a leaf: its gradient is already in .grad
    if (g !== null) {
      node.backward!(g);
      if (t.retainsGrad) keepGrad(t, g);
      else recycle(g);
    }
    if (!opts.retainGraph) {
      node.backward = null; // free what the closure saved; a second walk throws instead of returning garbage
      node.inputs = NO_INPUTS;
    }
  }
}

function keepGrad(t: Tensor, g: Float64Array): void {
  if (t.grad === null) t.grad = new Tensor(g, t.shape);
  else addInto(t.grad.data, g);
}
