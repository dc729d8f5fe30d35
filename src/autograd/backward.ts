// The backward walk: the one place gradients flow. It visits the tensors a result depends on in reverse
// topological order, sums the contributions each receives, and hands that sum g to its op's derivative rules.
// Rules are tensor ops: without createGraph they run unrecorded, writing into gradients the walk owns where they
// can; with it they are recorded like any forward op, so the gradients can be differentiated again.
import { fmt, sameShape } from '../tensor/shape.ts';
import { lastWrite, setScratchOf, tick, TensorBase } from './tensor-base.ts';
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
 * Each gets its position (`slot`) and the walk's stamp (`mark`), and uses[position] counts the edges into it.
 * Iterative, so deep chains cannot overflow.
 */
function topoSort(roots: readonly TensorBase[], mark: number, uses: number[]): TensorBase[] {
  const order: TensorBase[] = [], stack: TensorBase[] = [];
  for (let r = 0; r < roots.length; r++) {
    if (roots[r].mark === mark) continue;
    roots[r].mark = mark;
    roots[r].slot = 0; // while a tensor is on the stack, its slot counts the inputs already visited
    stack.push(roots[r]);
    while (stack.length > 0) {
      const t = stack[stack.length - 1], inputs = t.inputs;
      if (t.slot < inputs.length) {
        const x = inputs[t.slot++];
        if (!x.requiresGrad) continue;
        if (x.mark === mark) {
          uses[x.slot]++; // seen, so already placed: a graph has no edge back to a tensor still on the stack
        } else {
          x.mark = mark;
          x.slot = 0;
          stack.push(x);
        }
      } else {
        stack.pop();
        t.slot = order.length;
        order.push(t);
        uses.push(stack.length === 0 ? 0 : 1); // the edge that led here (none to a root)
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

/**
 * One walk's state: its stamp; the tick before it began (tensors made after it are the walk's own); and per
 * position in the order, the gradient pending there and whether the walk may add into it in place (storage
 * it made and handed to no one else).
 */
interface Walk { mark: number; start: number; createGraph: boolean; pending: (TensorBase | null)[]; info: Int32Array }

// Per position of a walk's order, in one Int32Array: leads to a wanted gradient; the walk owns its pending
// gradient (may add into it in place); and, above these bits, how many of the walk's edges lead into it.
const NEEDED = 1, OWNED = 2, USE = 4;

/** Claim g for this walk when the walk made it and nothing else holds it. */
function claim(w: Walk, g: TensorBase): boolean {
  const b = g.base;
  if (b.serial <= w.start || b.claim === w.mark) return false;
  b.claim = w.mark;
  return true;
}

/** Sum g into x's pending gradient (`owned`: g is storage the walk already owns, handed on by a rule). */
function receive(w: Walk, x: TensorBase, g: TensorBase, owned = false): void {
  const k = x.slot, p = w.pending[k];
  if (p === null) {
    w.pending[k] = g;
    if (owned || claim(w, g)) w.info[k] |= OWNED;
  } else if ((w.info[k] & OWNED) !== 0 && !w.createGraph) {
    add_(p, g);
  } else {
    const sum = w.pending[k] = add(p, g);
    w.info[k] = claim(w, sum) ? w.info[k] | OWNED : w.info[k] & ~OWNED;
  }
}

/** Add g into t.grad: in place (as PyTorch), or as a new graph node under createGraph. g's storage is kept only
 *  when this walk owns it; otherwise it is copied, so no two gradients ever share storage. */
function keep(w: Walk, t: TensorBase, g: TensorBase, owned: boolean): void {
  if (t.grad === null) t.grad = owned || claim(w, g) ? g : clone(g);
  else if (w.createGraph) t.grad = add(t.grad, g);
  else add_(t.grad, g);
}

// A walk's `info`, kept for the next walk (all zero between walks); a walk that starts inside another (a custom
// op's rule calling grad) makes its own.
let spareInfo = new Int32Array(64);
let walking = false;

/**
 * Walk back from roots (seeded with seeds). With `targets`, return the gradient reaching each target and leave
 * every .grad alone (grad()); without, accumulate into the .grad of leaves and retaining tensors (backward()).
 */
function walk(roots: readonly TensorBase[], seeds: readonly TensorBase[], targets: readonly TensorBase[] | null,
  opts: BackwardOptions): (TensorBase | null)[] {
  const { createGraph = false, retainGraph = createGraph } = opts;
  const mark = ++walks;
  const uses: number[] = [];
  const order = topoSort(roots, mark, uses), n = order.length, nested = walking;
  if (!nested && spareInfo.length < n) spareInfo = new Int32Array(2 * n);
  const info = nested ? new Int32Array(n) : spareInfo, pending = new Array<TensorBase | null>(n);
  // How many edges of the walk lead into each tensor (a leaf used once may take its gradient in place: RuleInto),
  // and which lead to somewhere a gradient is wanted: rules toward others are skipped. For backward() that is all
  // of them, each leading to a leaf that requires grad; for grad(), a target or a tensor made from one.
  for (let k = 0; k < n; k++) {
    info[k] = uses[k] * USE | (targets === null || targets.includes(order[k]) ? NEEDED : 0);
    pending[k] = null;
  }
  for (let k = 0; targets !== null && k < n; k++) { // inputs come first in `order`
    const inputs = order[k].inputs;
    for (let i = 0; i < inputs.length; i++) if (inputs[i].mark === mark && (info[inputs[i].slot] & NEEDED) !== 0) info[k] |= NEEDED;
  }
  // Seeds were made before the walk began: never its own, so never written over (compile replays a step without
  // the 1 that seedFor writes by hand).
  const w: Walk = { mark, start: tick(), createGraph, pending, info };
  const got: (TensorBase | null)[] = targets === null ? [] : targets.map(() => null);
  const intoLeaves = targets === null && !createGraph;

  const wasEnabled = setGradMode(createGraph), scratchBefore = setScratchOf(createGraph ? 0 : mark);
  walking = true;
  let k = n - 1;
  try {
    for (let i = 0; i < roots.length; i++) receive(w, roots[i], seeds[i]);
    for (; k >= 0; k--) {
      const t = order[k], g = pending[k], flags = info[k];
      pending[k] = null;
      info[k] = 0; // read for the last time (rules read the positions of inputs, all below k)
      if (g === null || (flags & NEEDED) === 0) continue;
      let given = false; // g handed to the caller: its values must stay as they are (a retained .grad is a copy)
      if (targets !== null) {
        const at = targets.indexOf(t);
        if (at >= 0) got[at] = g;
        given = at >= 0;
      } else if (t.gradFn === null || t.retainsGrad) {
        keep(w, t, g, (flags & OWNED) !== 0 && t.gradFn === null); // a retained g still flows on: it stays shared
      }
      const op = t.gradFn;
      if (op === null) continue;
      if (t.released) {
        throw new Error(`backward: the graph through '${op.name}' ${fmt(t.shape)} was already freed by an earlier backward(); ` +
          'pass { retainGraph: true } to the first backward() to walk it again');
      }
      if (lastWrite > t.serial) checkVersions(t); // only a write after t was made can have changed what its rules read
      const inputs = t.inputs;
      let rules = 0; // how many rules will run (one input: its rule, if it runs at all, is the only one)
      if (inputs.length === 1) rules = 1;
      else for (let i = 0; i < inputs.length; i++) if (op.grads[i] !== null && inputs[i].mark === mark && (info[inputs[i].slot] & NEEDED) !== 0) rules++;
      // When one rule is all that reads g, and g is the walk's own, the rule may write its result over g (see Rule).
      const spare = !createGraph && rules === 1 && (flags & OWNED) !== 0 && !given ? g : null;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i], rule = op.grads[i];
        if (rule === null || x.mark !== mark || (info[x.slot] & NEEDED) === 0) continue;
        const into = intoLeaves && x.gradFn === null && x.grad !== null && info[x.slot] >> 2 === 1 ? op.into?.[i] : undefined;
        if (into && into(x.grad!, g, inputs, t, t.attrs)) continue;
        const r = rule(g, inputs, t, t.attrs, spare);
        receive(w, x, r, r === spare);
      }
      if (!retainGraph) t.released = true;
    }
  } finally {
    setGradMode(wasEnabled);
    setScratchOf(scratchBefore);
    walking = nested;
    if (!nested && k >= 0) info.fill(0, 0, k + 1); // after a throw: the positions not yet visited
  }
  return got;
}

/** The gradient seeding each output: given, or 1 for a one-element output. */
function seedsFor(op: string, outputs: readonly TensorBase[], given: readonly (TensorBase | null | undefined)[]): TensorBase[] {
  const seeds: TensorBase[] = [];
  for (let i = 0; i < outputs.length; i++) seeds.push(seedFor(op, outputs[i], i, given[i]));
  return seeds;
}

function seedFor(op: string, out: TensorBase, i: number, seed: TensorBase | null | undefined): TensorBase {
  if (!(out instanceof TensorBase)) throw new Error(`${op}: output ${i} must be a tensor, got ${describe(out)}`);
  if (!out.requiresGrad) {
    throw new Error(`${op}: output ${i} of shape ${fmt(out.shape)} does not require grad (no input had requiresGrad: true, or it was made inside noGrad)`);
  }
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
}

function checkOptions(op: string, opts: unknown): BackwardOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw new Error(`${op}: options must be an object, got ${describe(opts)}`);
  return opts;
}

/** Reverse-mode differentiation from `root`: ∂root/∂leaf accumulates into each leaf's .grad. */
export function backward(root: TensorBase, seed?: TensorBase, opts?: BackwardOptions): void {
  walk([root], [seedFor('backward', root, 0, seed)], null, checkOptions('backward', opts));
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
