// The backward walk: the one place gradients flow. It visits the tensors a result depends on in reverse
// topological order, sums the contributions each receives, and hands that sum g to its op's derivative rules.
// Rules are tensor ops: without createGraph they run unrecorded, writing into gradients the walk owns where they
// can; with it they are recorded like any forward op, so the gradients can be differentiated again.
import { fmt, sameShape } from '../tensor/shape.ts';
import { NO_VALUES, TensorBase, type RuleInto } from './tensor-base.ts';
import { batching, lastWrite, lend, setGradMode, setPhase, tangents, tick, watch } from './state.ts';
import { describe } from './op.ts';
import { add } from './ops/elementwise.ts';
import { add_ } from './ops/inplace.ts';
import { clone } from './ops/movement.ts';

/** Options of {@link Tensor.backward} (and of {@link grad}). */
export interface BackwardOptions {
  /** Keep the graph's rules usable, so that it can be walked again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the rules as a graph, so that the gradients can themselves be differentiated. */
  createGraph?: boolean;
}

/** Options of {@link grad}. */
export interface GradOptions extends BackwardOptions {
  /** ∂loss/∂output for each output (default: 1 for one-element outputs). */
  gradOutputs?: TensorBase | readonly (TensorBase | null | undefined)[];
  /** Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Each tensor's position in a walk's order, kept by the walk instead of on the tensors. A graph's tensors were
 * mostly made just before its roots, so a tensor whose serial is within NEAR of the newest root's is found by
 * their difference in a plain array; older ones (weights, inputs) by open addressing on the serial, where entries
 * of earlier walks are told apart by a generation stamp.
 */
const NEAR = 4096;
class Positions {
  private newest = 0;
  private readonly near = new Int32Array(NEAR); // position + 1, or 0
  private readonly nearUsed = new Int32Array(NEAR);
  private used = 0;
  private keys = new Float64Array(64);
  private at = new Int32Array(64);
  private gen = new Int32Array(64);
  private now = 1;
  private count = 0;

  /** Empty, for a walk whose newest root has serial `newest`. */
  clear(newest: number): void {
    for (let i = 0; i < this.used; i++) this.near[this.nearUsed[i]] = 0;
    this.used = 0;
    this.newest = newest;
    this.now++;
    this.count = 0;
  }

  get(serial: number): number {
    const d = this.newest - serial;
    return d >= 0 && d < NEAR ? this.near[d] - 1 : this.getFar(serial);
  }

  private getFar(serial: number): number {
    const keys = this.keys, gen = this.gen, now = this.now, mask = keys.length - 1;
    for (let h = serial & mask; gen[h] === now; h = (h + 1) & mask) if (keys[h] === serial) return this.at[h];
    return -1;
  }

  set(serial: number, position: number): void {
    const d = this.newest - serial;
    if (d >= 0 && d < NEAR) {
      this.near[d] = position + 1;
      this.nearUsed[this.used++] = d; // at most NEAR of them
    } else {
      this.setFar(serial, position);
    }
  }

  private setFar(serial: number, position: number): void {
    if (2 * ++this.count > this.keys.length) this.grow();
    const keys = this.keys, gen = this.gen, now = this.now, mask = keys.length - 1;
    let h = serial & mask;
    while (gen[h] === now) h = (h + 1) & mask;
    keys[h] = serial;
    gen[h] = now;
    this.at[h] = position;
  }

  private grow(): void {
    const { keys, at, gen, now } = this;
    this.keys = new Float64Array(2 * keys.length);
    this.at = new Int32Array(2 * keys.length);
    this.gen = new Int32Array(2 * keys.length);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (gen[i] === now) this.setFar(keys[i], at[i]);
    this.count++; // the entry being added
  }
}

/** Where x sits in a walk's order: −1 when it is outside the walk (it does not require grad). */
const positionOf = (positions: Positions, x: TensorBase): number => (x.requiresGrad ? positions.get(x.serial) : -1);

/**
 * Sort the tensors `roots` depend on through inputs that require grad into `s.order`, inputs before the tensors
 * made from them, each with its position set in `s.positions`, and return how many there are. s.info[k] starts as
 * `flags` plus the count of edges into tensor k (in units of USE). Iterative, so deep chains cannot overflow.
 */
function topoSort(roots: readonly TensorBase[], s: WalkState, flags: number): number {
  const { positions, order, stack } = s;
  let newest = 0, n = 0, top = -1;
  for (let r = 0; r < roots.length; r++) newest = Math.max(newest, roots[r].serial);
  positions.clear(newest);
  for (let r = 0; r < roots.length; r++) {
    if (positions.get(roots[r].serial) >= 0) continue;
    s.push(++top, roots[r]);
    while (top >= 0) {
      const t = stack[top]!, i = s.next[top]; // next: per tensor on the stack, the input to visit next
      if (i < t.inputs.length) {
        s.next[top] = i + 1;
        const x = t.inputs[i];
        if (!x.requiresGrad) continue;
        const p = positions.get(x.serial);
        if (p >= 0) s.info[p] += USE; // placed already: a graph has no edge back to a tensor still on the stack
        else s.push(++top, x);
      } else {
        stack[top--] = null!;
        positions.set(t.serial, n);
        if (n === s.info.length) s.grow();
        order[n] = t;
        s.info[n++] = top < 0 ? flags : flags + USE; // the edge that led here (none to a root)
      }
    }
  }
  return n;
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

/** The storage a walk has claimed as its own gradients, by serial: only tensors made during the walk can be. */
class Claims {
  private by = new Int32Array(256); // per serial after `start`: the walk that claimed it (older walks' marks are stale)
  private walk = 0;
  private start = 0;

  /** None claimed; tensors made after the tick `start` may be. */
  clear(start: number): void {
    if (++this.walk === 0x7fffffff) { // the stamps would wrap: forget them all
      this.by.fill(0);
      this.walk = 1;
    }
    this.start = start;
  }

  /** Claim t's storage, unless it was made before the walk or is claimed already. */
  take(t: TensorBase): boolean {
    const i = t.base.serial - this.start;
    if (i <= 0) return false;
    if (i >= this.by.length) {
      const by = new Int32Array(2 * i);
      by.set(this.by);
      this.by = by;
    }
    if (this.by[i] === this.walk) return false;
    this.by[i] = this.walk;
    return true;
  }
}

/**
 * One walk's state, kept for the next walk (its arrays only grow): where each tensor sits in the order; the order;
 * the DFS stack of topoSort; per position, the gradient pending there and its flags; the storage the walk has
 * claimed as its own gradients; and whether it may write into gradients at all (not under createGraph, nor inside
 * vmap, where a batched gradient has no buffer of its own). A gradient the walk owns is storage it made and handed
 * to no one else: it may add into it in place.
 */
class WalkState {
  readonly positions = new Positions();
  readonly claims = new Claims();
  order: (TensorBase | null)[] = [];
  pending: (TensorBase | null)[] = [];
  stack: (TensorBase | null)[] = [];
  next = new Int32Array(64);
  info = new Int32Array(64);
  inPlace = true;

  /** Put t on the DFS stack at `top`. */
  push(top: number, t: TensorBase): void {
    if (top === this.next.length) {
      const next = new Int32Array(2 * top);
      next.set(this.next);
      this.next = next;
    }
    this.stack[top] = t;
    this.next[top] = 0;
  }

  /** Room for twice as many positions. */
  grow(): void {
    const info = new Int32Array(2 * this.info.length);
    info.set(this.info);
    this.info = info;
  }
}

// Per position of a walk's order, in one Int32Array: leads to a wanted gradient; the walk owns its pending
// gradient (may add into it in place); and, above these bits, how many of the walk's edges lead into it.
const NEEDED = 1, OWNED = 2, USE = 4;

/** Sum g into the gradient pending at position k (`owned`: g is storage the walk already owns, handed on by a rule). */
function receive(w: WalkState, k: number, g: TensorBase, owned = false): void {
  const p = w.pending[k];
  if (p === null) {
    w.pending[k] = g;
    if (owned || w.claims.take(g)) w.info[k] |= OWNED;
  } else if ((w.info[k] & OWNED) !== 0 && w.inPlace) {
    add_(p, g);
  } else {
    const sum = w.pending[k] = add(p, g);
    w.info[k] = w.claims.take(sum) ? w.info[k] | OWNED : w.info[k] & ~OWNED;
  }
}

/** Add g into t.grad: in place (as PyTorch), or as a new graph node under createGraph. g's storage is kept only
 *  when this walk owns it; otherwise it is copied, so no two gradients ever share storage. */
function keep(w: WalkState, t: TensorBase, g: TensorBase, owned: boolean): void {
  if (t.grad === null) t.grad = owned || w.claims.take(g) ? g : clone(g);
  else if (w.inPlace) add_(t.grad, g);
  else t.grad = add(t.grad, g);
}

// The state of the last walk, reused by the next (a walk that starts inside another, a custom op's rule calling
// grad, makes its own).
const spare = new WalkState();
let walking = false;

/**
 * Walk back from roots (seeded with seeds). With `targets`, return the gradient reaching each target and leave
 * every .grad alone (grad()); without, accumulate into the .grad of leaves and retaining tensors (backward()).
 */
function walk(roots: readonly TensorBase[], seeds: readonly TensorBase[], targets: readonly TensorBase[] | null,
  opts: BackwardOptions): (TensorBase | null)[] {
  const { createGraph = false, retainGraph = createGraph } = opts;
  const nested = walking;
  const w = nested ? new WalkState() : spare, { positions, claims, order, pending } = w;
  // Which tensors lead to somewhere a gradient is wanted: rules toward others are skipped. For backward() that is
  // all of them, each leading to a leaf that requires grad; for grad(), a target or a tensor made from one.
  const n = topoSort(roots, w, targets === null ? NEEDED : 0), info = w.info;
  for (let k = 0; targets !== null && k < n; k++) { // inputs come first in `order`
    const t = order[k]!, inputs = t.inputs;
    if (targets.includes(t)) info[k] |= NEEDED;
    for (let i = 0; i < inputs.length; i++) {
      const p = positionOf(positions, inputs[i]);
      if (p >= 0 && (info[p] & NEEDED) !== 0) info[k] |= NEEDED;
    }
  }
  for (let k = pending.length; k < n; k++) pending.push(null);
  // Seeds were made before the walk began: never its own, so never written over (compile replays a step without
  // the 1 that seedFor writes by hand).
  claims.clear(tick());
  // Sums may be made in place, over gradients the walk owns, unless each is recorded (createGraph), followed by
  // forward mode (a jvp over this walk carries a tangent for every value) or batched by a vmap (no values to write).
  const inPlace = w.inPlace = !createGraph && tangents === null && batching === null;
  const got: (TensorBase | null)[] = targets === null ? [] : targets.map(() => null);
  const intoLeaves = targets === null && inPlace;

  const wasEnabled = setGradMode(createGraph), lentBefore = lend(null), phaseBefore = setPhase('backward');
  walking = true;
  let k = n - 1;
  try {
    for (let i = 0; i < roots.length; i++) receive(w, positions.get(roots[i].serial), seeds[i]);
    for (; k >= 0; k--) {
      const t = order[k]!, g = pending[k], flags = info[k];
      order[k] = pending[k] = null;
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
      // Where each input sits in the order (−1: outside the walk), and how many rules will run.
      const inputs = t.inputs;
      let rules = 0, p0 = -1, p1 = -1;
      for (let i = 0; i < inputs.length; i++) {
        const p = positionOf(positions, inputs[i]);
        if (i === 0) p0 = p; else if (i === 1) p1 = p;
        if (op.grads[i] !== null && p >= 0 && (info[p] & NEEDED) !== 0) rules++;
      }
      // When one rule is all that reads g, and g is the walk's own, the rule may write over g (see `lend`).
      const lent = inPlace && rules === 1 && (flags & OWNED) !== 0 && !given && op.fast.rulesReadGradOnce === true ? g : null;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i], rule = op.grads[i], p = i === 0 ? p0 : i === 1 ? p1 : positionOf(positions, x);
        if (rule === null || p < 0 || (info[p] & NEEDED) === 0) continue;
        const into = intoLeaves && x.gradFn === null && x.grad !== null && info[p] >> 2 === 1 ? op.fast.into?.[i] : undefined;
        // Watched by the profiler or anomaly mode, the same in a span of its own.
        const r = watch === null ? runRule(t, i, g, into, lent) : watch.rule(t, () => runRule(t, i, g, into, lent)) as TensorBase | null;
        if (r !== null) receive(w, p, r, r === lent);
      }
      if (!retainGraph) t.released = true;
    }
  } finally {
    setGradMode(wasEnabled);
    lend(lentBefore);
    setPhase(phaseBefore);
    walking = nested;
    if (!nested && k >= 0) { // after a throw: the positions not yet visited
      info.fill(0, 0, k + 1);
      order.fill(null, 0, k + 1);
      pending.fill(null, 0, k + 1);
    }
  }
  return got;
}

/** Rule i of t's op on g: its result, or null when `into` added it straight into the leaf's .grad. */
function runRule(t: TensorBase, i: number, g: TensorBase, into: RuleInto<unknown> | null | undefined, lent: TensorBase | null): TensorBase | null {
  if (into != null && into(t.inputs[i].grad!, g, t.inputs, t, t.attrs)) return null;
  lend(lent);
  const r = t.gradFn!.grads[i]!(g, t.inputs, t, t.attrs);
  lend(null);
  return r;
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
    const one = out.make(out.shape, out.size);
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
  if (root.base.store === NO_VALUES) {
    throw new Error(`vmap: backward() of a batched tensor (shape ${fmt(root.shape)} of one example) would add the gradients of every ` +
      'example into the same .grad; inside vmap, take them with grad(outputs, inputs) and return them (one per example)');
  }
  walk([root], [seedFor('backward', root, 0, seed)], null, checkOptions('backward', opts));
}

/**
 * The gradients of `outputs` with respect to `inputs`, like torch.autograd.grad: one per input (null where an
 * input is unused and allowUnused is set); .grad fields are left alone. Each input must require grad; outputs of
 * more than one element need `gradOutputs` (∂loss/∂output, of each output's shape). With `createGraph` the gradients
 * are themselves graphs, to differentiate again.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * grad(x.pow(3).sum(), [x]) // [[3, 12, 27]]
 * const [g] = grad(x.pow(3).sum(), x, { createGraph: true });
 * grad(g.sum(), x) // [[6, 12, 18]]
 * ```
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
