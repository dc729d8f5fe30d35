// The backward walk: the one place gradients flow. It visits the tensors a result depends on in reverse
// topological order, sums the contributions each receives, and hands that sum g to its op's derivative rules.
// Rules are tensor ops: without createGraph they run unrecorded (as fast as plain loops into buffers);
// with it they are recorded like any forward op, so the gradients can be differentiated again.
import { fmt, sameShape } from '../tensor/shape.ts';
import { tick, TensorBase } from './tensor-base.ts';
import { describe, setGradMode } from './op.ts';
import { add } from './ops/elementwise.ts';
import { add_ } from './ops/inplace.ts';
import { clone } from './ops/movement.ts';

export interface BackwardOptions {
  /** Keep the graph's rules usable, so that it can be walked again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the rules as a graph, so that the gradients can themselves be differentiated. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** ∂loss/∂output for each output (default: 1 for one-element outputs). */
  gradOutputs?: TensorBase | readonly (TensorBase | null | undefined)[];
  /** Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

let walks = 0;

/**
 * The tensors `roots` depend on through inputs that require grad, inputs before the tensors made from them.
 * Each gets its position (`slot`) and the walk's stamp (`mark`). Iterative, so deep chains cannot overflow.
 */
function topoSort(roots: readonly TensorBase[], mark: number): TensorBase[] {
  const order: TensorBase[] = [];
  const stack: TensorBase[] = [], next: number[] = [];
  for (const root of roots) {
    if (root.mark === mark) continue;
    root.mark = mark;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1, t = stack[top], inputs = t.inputs;
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
        t.slot = order.length;
        order.push(t);
      }
    }
  }
  return order;
}

/** Throw if a tensor that t's rules read (its inputs, its output) was overwritten in place after t was made. */
function checkVersions(t: TensorBase): void {
  let x: TensorBase | undefined = t.base.written > t.serial ? t : undefined;
  for (let i = 0; x === undefined && i < t.inputs.length; i++) if (t.inputs[i].base.written > t.serial) x = t.inputs[i];
  if (x === undefined) return;
  const what = x === t ? 'its output' : `its input of shape ${fmt(x.shape)}${x.gradFn === null ? ' (a leaf)' : `, made by '${x.gradFn.name}'`}`;
  throw new Error(`backward: the gradient of '${t.gradFn!.name}' ${fmt(t.shape)} needs ${what}, which was changed in place ` +
    'after the op ran (by an optimizer step, copy_, add_, …); compute the loss again after changing it');
}

/** One walk's state: its stamp, where its own tensors start, the gradient pending at each slot. */
interface Walk { mark: number; start: number; createGraph: boolean; pending: (TensorBase | null)[] }

function receive(w: Walk, x: TensorBase, g: TensorBase): void {
  const p = w.pending[x.slot];
  w.pending[x.slot] = p === null ? g : add(p, g);
}

// Storage this walk made can become a gradient as it is; anything else (a seed, a tensor a rule passed on
// unchanged to two inputs) is copied first, so no two gradients share storage that later updates in place.
function own(w: Walk, g: TensorBase): TensorBase {
  const b = g.base;
  if (b.serial > w.start && b.claim !== w.mark) {
    b.claim = w.mark;
    return g;
  }
  return clone(g);
}

/** Add g into t.grad: in place (as PyTorch), or as a new graph node under createGraph. */
function keep(w: Walk, t: TensorBase, g: TensorBase): void {
  if (t.grad === null) t.grad = own(w, g);
  else if (w.createGraph) t.grad = add(t.grad, g);
  else add_(t.grad, g);
}

/**
 * Walk back from roots (seeded with seeds). With `targets`, return the gradient reaching each target and leave
 * every .grad alone (grad()); without, accumulate into the .grad of leaves and retaining tensors (backward()).
 */
function walk(roots: readonly TensorBase[], seeds: readonly TensorBase[], targets: readonly TensorBase[] | null,
  opts: BackwardOptions): (TensorBase | null)[] {
  const { createGraph = false, retainGraph = createGraph } = opts;
  const mark = ++walks;
  const order = topoSort(roots, mark), n = order.length;
  // Which tensors lead to somewhere a gradient is wanted (inputs come first in `order`); rules toward others are skipped.
  // And how many edges of the walk lead into each (a leaf used once can take its gradient in place, see RuleInto).
  const needed = new Array<boolean>(n), uses = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    const t = order[k];
    let want = targets === null ? t.gradFn === null || t.retainsGrad : targets.includes(t);
    for (let i = 0; i < t.inputs.length; i++) {
      const x = t.inputs[i];
      if (x.mark !== mark) continue;
      uses[x.slot]++;
      want ||= needed[x.slot];
    }
    needed[k] = want;
  }
  const inPlace = targets === null && !createGraph;
  const w: Walk = { mark, start: tick(), createGraph, pending: new Array(n).fill(null) };
  const got: (TensorBase | null)[] = targets === null ? [] : targets.map(() => null);
  for (let i = 0; i < roots.length; i++) receive(w, roots[i], seeds[i]);

  const wasEnabled = setGradMode(createGraph);
  try {
    for (let k = n - 1; k >= 0; k--) {
      const t = order[k], g = w.pending[k];
      w.pending[k] = null;
      if (g === null || !needed[k]) continue;
      if (targets !== null) {
        const at = targets.indexOf(t);
        if (at >= 0) got[at] = g;
      } else if (t.gradFn === null || t.retainsGrad) {
        keep(w, t, g);
      }
      const op = t.gradFn;
      if (op === null) continue;
      if (t.released) {
        throw new Error(`backward: the graph through '${op.name}' ${fmt(t.shape)} was already freed by an earlier backward(); ` +
          'pass { retainGraph: true } to the first backward() to walk it again');
      }
      checkVersions(t);
      const inputs = t.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i], rule = op.grads[i];
        if (rule === null || !x.requiresGrad || x.mark !== mark || !needed[x.slot]) continue;
        const into = op.into?.[i];
        if (inPlace && into && x.gradFn === null && x.grad !== null && uses[x.slot] === 1 && into(x.grad, g, inputs, t, t.attrs)) continue;
        const gx = rule(g, inputs, t, t.attrs);
        if (!(gx instanceof TensorBase) || !sameShape(gx.shape, x.shape)) {
          throw new Error(`backward: the rule of '${op.name}' for input ${i} returned ${gx instanceof TensorBase ? `shape ${fmt(gx.shape)}` : describe(gx)}, ` +
            `not a tensor of the input's shape ${fmt(x.shape)}`);
        }
        receive(w, x, gx);
      }
      if (!retainGraph) t.released = true;
    }
  } finally {
    setGradMode(wasEnabled);
  }
  return got;
}

/** The gradient seeding each output: given, or 1 for a one-element output. */
function seedsFor(op: string, outputs: readonly TensorBase[], given: readonly (TensorBase | null | undefined)[]): TensorBase[] {
  return outputs.map((out, i): TensorBase => {
    if (!(out instanceof TensorBase)) throw new Error(`${op}: output ${i} must be a tensor, got ${describe(out)}`);
    if (!out.requiresGrad) {
      throw new Error(`${op}: output ${i} of shape ${fmt(out.shape)} does not require grad (no input had requiresGrad: true, or it was made inside noGrad)`);
    }
    const seed = given[i];
    if (seed === undefined || seed === null) {
      if (out.size !== 1) {
        throw new Error(`${op}: output of shape ${fmt(out.shape)} is not a scalar; pass a seed gradient of the same shape, as in t.backward(ones(${fmt(out.shape)}))`);
      }
      const one = out.make(out.shape);
      one.buf[one.off] = 1;
      return one;
    }
    if (!(seed instanceof TensorBase)) throw new Error(`${op}: the seed gradient must be a tensor, got ${describe(seed)}`);
    if (!sameShape(seed.shape, out.shape)) {
      throw new Error(`${op}: seed gradient of shape ${fmt(seed.shape)} does not match the output shape ${fmt(out.shape)}`);
    }
    return seed;
  });
}

function checkOptions(op: string, opts: unknown): BackwardOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw new Error(`${op}: options must be an object, got ${describe(opts)}`);
  return opts;
}

/** Reverse-mode differentiation from `root`: ∂root/∂leaf accumulates into each leaf's .grad. */
export function backward(root: TensorBase, seed?: TensorBase, opts?: BackwardOptions): void {
  walk([root], seedsFor('backward', [root], [seed]), null, checkOptions('backward', opts));
}

/**
 * The gradients of `outputs` with respect to `inputs`, like torch.autograd.grad: one per input (null where an
 * input is unused and allowUnused is set); .grad fields are left alone.
 */
export function grad<T extends TensorBase>(outputs: T | readonly T[], inputs: T | readonly T[], opts: GradOptions = {}): (T | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as T];
  const ins = Array.isArray(inputs) ? inputs : [inputs as T];
  const o = checkOptions('grad', opts) as GradOptions;
  const given = o.gradOutputs === undefined ? [] : Array.isArray(o.gradOutputs) ? o.gradOutputs : [o.gradOutputs as TensorBase];
  ins.forEach((x, i) => {
    if (!(x instanceof TensorBase)) throw new Error(`grad: input ${i} must be a tensor, got ${describe(x)}`);
    if (!x.requiresGrad) throw new Error(`grad: input ${i} of shape ${fmt(x.shape)} does not require grad`);
  });
  const result = walk(outs, seedsFor('grad', outs, given), ins, o);
  result.forEach((g, i) => {
    if (g === null && !o.allowUnused) {
      throw new Error(`grad: input ${i} of shape ${fmt(ins[i].shape)} was not used to compute the outputs; pass { allowUnused: true } to get null for it`);
    }
  });
  return result as (T | null)[];
}
