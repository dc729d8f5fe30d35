// The engine's global state, all of it: each piece is read by the op door (op.ts) as every op is applied, and
// set by the one part of the engine it belongs to.
// It imports nothing: what it holds is described by the little it needs to know of tensors.

/** A tensor as the state sees it: its shape, and the storage whose version an in-place write stamps. */
interface TensorLike { readonly shape: readonly number[]; readonly base: { written: number } }

/**
 * The clock orders everything that happens to tensors: each new tensor takes the next tick as its serial, and
 * each in-place write stamps its storage with the next tick. So backward can tell that a tensor an op used was
 * overwritten after the op ran (written > serial of the op's output), and which tensors a walk itself made.
 */
let clock = 0;
export const tick = (): number => ++clock;

/** The tick of the latest in-place write to any tensor: an op made after it cannot have stale inputs. */
export let lastWrite = 0;
/** Record an in-place write to t's storage (the door does, for every in-place op). */
export function stamp(t: TensorLike): void {
  t.base.written = lastWrite = ++clock;
}

/** Grad mode: whether applied ops join the graph. Off inside noGrad and in a first-order backward walk. */
export let gradEnabled = true;
/** Switch recording on or off; returns the previous setting (restore it in a finally). */
export function setGradMode(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/** The program compile() is recording (its steps: see Step in tensor-base.ts), or null: the door appends a step for
 *  every op applied while it is set. */
export let tape: unknown[] | null = null;
export function setTape(t: unknown[] | null): unknown[] | null {
  const prev = tape;
  tape = t;
  return prev;
}

/**
 * Scratch the backward walk lends while one rule runs: the gradient g it owns and only that rule reads. An
 * elementwise op of the rule that reads g may write its output over g instead of into a new tensor (the door asks
 * `scratchFor`); the rule itself never sees the difference. Null when nothing is lent.
 */
export let lent: TensorLike | null = null;
export function lend(g: TensorLike | null): TensorLike | null {
  const prev = lent;
  lent = g;
  return prev;
}

/** The lent gradient, when it is one of `inputs` and has the output's shape; else null. */
export function scratchFor<T extends TensorLike>(inputs: readonly T[], shape: readonly number[]): T | null {
  const g = lent;
  if (g === null || g.shape.length !== shape.length) return null;
  for (let d = 0; d < shape.length; d++) if (g.shape[d] !== shape[d]) return null;
  for (let i = 0; i < inputs.length; i++) if (inputs[i] === g) return inputs[i];
  return null;
}

/**
 * What watches every op the door applies and every rule the walk runs (the profiler, anomaly mode). Each method
 * runs `run` exactly once and returns its result; `node` is the tensor whose rule runs. Null when nothing
 * watches: the door and the walk then pay one check each.
 */
export interface Watch {
  op(op: { readonly name: string }, inputs: readonly unknown[], attrs: unknown, run: () => unknown): unknown;
  rule(node: unknown, run: () => unknown): unknown;
}
export let watch: Watch | null = null;
const watches: Watch[] = [];

/** Start or stop a watch; several nest, the one started first outermost. */
export function setWatch(w: Watch, on: boolean): void {
  const i = watches.indexOf(w);
  if (on && i < 0) watches.push(w);
  if (!on && i >= 0) watches.splice(i, 1);
  watch = watches.length === 0 ? null : watches.reduceRight<Watch | null>((inner, outer) => inner === null ? outer : {
    op: (op, inputs, attrs, run) => outer.op(op, inputs, attrs, () => inner.op(op, inputs, attrs, run)),
    rule: (node, run) => outer.rule(node, () => inner.rule(node, run)),
  }, null);
}

/**
 * Forward mode: while jvp runs, the tangent of each tensor that carries one (a primal given a tangent, or an op's
 * output computed from one); the door computes each new output's tangent by the op's tangent rule. Null otherwise.
 */
export let tangents: Map<object, unknown> | null = null;
export function setTangents(m: Map<object, unknown> | null): Map<object, unknown> | null {
  const prev = tangents;
  tangents = m;
  return prev;
}

/** Which part of a training step is running, for the profiler: set by the backward walk and by optimizers. */
export type Phase = 'forward' | 'backward' | 'optimizer';
export let phase: Phase = 'forward';
export function setPhase(p: Phase): Phase {
  const prev = phase;
  phase = p;
  return prev;
}
