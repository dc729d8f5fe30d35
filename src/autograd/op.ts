// The one door every op goes through, forward or inside a derivative rule, in place or not: `apply` runs the op's
// forward and records the application (compile()'s tape, the graph link, the version stamp of an in-place write).
// Also here: grad mode for users (noGrad), number operands, and the checks ops share.
import { fmt, sizeOf, type Shape } from '../tensor/shape.ts';
import { TensorBase, type OpDef, type Step } from './tensor-base.ts';
import { batching, gradEnabled, lent, scratchFor, setGradMode, setTangents, stamp, tangents, tape, watch } from './state.ts';

export type Operand = TensorBase | number;

/** Passed as the shape to `apply`: the op writes into `like` itself (an in-place op, like add_). */
export const IN_PLACE = null;

/**
 * Apply `op` to `inputs`: its output is a new tensor of `shape` made like `like` (a view of input 0 for a view
 * op; scratch lent by the backward walk for an elementwise op reading it), or `like` itself for IN_PLACE. The
 * application is appended to compile()'s tape when one records; a new output joins the graph when grad mode is on
 * and an input with a rule requires grad; an in-place write stamps the target's version. While jvp runs, the output
 * also gets its tangent, by the op's tangent rule. Inside vmap, an op with a batched input runs its batching rule
 * instead (vmap.ts).
 */
export function apply<T extends TensorBase, A>(op: OpDef<A>, like: T, inputs: readonly TensorBase[], shape: Shape | typeof IN_PLACE, attrs: A): T {
  if (batching !== null) { const out = batching.apply(op, like, inputs, shape, attrs); if (out !== null) return out as T; } // vmap: the batch rule
  if (watch !== null) return watch.op(op, inputs, attrs, () => applyUnwatched(op, like, inputs, shape, attrs)) as T; // profiler, anomaly mode
  return applyUnwatched(op, like, inputs, shape, attrs);
}

function applyUnwatched<T extends TensorBase, A>(op: OpDef<A>, like: T, inputs: readonly TensorBase[], shape: Shape | typeof IN_PLACE, attrs: A): T {
  let out: T;
  if (shape === IN_PLACE) {
    if (gradEnabled && like.requiresGrad) {
      throw new Error(`${op.name}: cannot change a tensor that requires grad (shape ${fmt(like.shape)}) in place while the graph ` +
        'is being recorded; do it inside noGrad (as optimizers do)');
    }
    if (tangents !== null) refuseTangentInPlace(op, like, inputs);
    out = like;
    op.forward(out, inputs, attrs);
    stamp(out);
  } else if (op.fast.view === true) {
    out = inputs[0].view(shape) as T;
  } else {
    out = (lent === null || op.fast.map === undefined ? null : scratchFor(inputs, shape) as T | null) ?? like.make(shape, sizeOf(shape));
    op.forward(out, inputs, attrs);
  }
  if (tape !== null) tape.push({ op, out, inputs, attrs, inPlace: shape === IN_PLACE } satisfies Step);
  if (gradEnabled && shape !== IN_PLACE) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad && op.grads[i] != null) {
        out.link(op, inputs, attrs);
        break;
      }
    }
  }
  if (tangents !== null && shape !== IN_PLACE) carryTangent(op, inputs, out, attrs, tangents);
  return out;
}

/** Forward mode: out's tangent from its inputs' (those without one are zero), by the op's tangent rule. */
function carryTangent<A>(op: OpDef<A>, inputs: readonly TensorBase[], out: TensorBase, attrs: A, known: Map<object, unknown>): void {
  let ts: (TensorBase | null)[] | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const t = known.get(inputs[i]);
    if (t !== undefined && op.grads[i] != null) (ts ??= inputs.map(() => null))[i] = t as TensorBase;
  }
  if (ts === null) return; // a constant of the primals (or of inputs through which no derivative flows)
  if (op.tangent === undefined) {
    throw new Error(`jvp: ${op.name} has no tangent rule (forward mode), so its output's tangent cannot be computed; ` +
      'use vjp or jacobian (reverse mode) for a function that uses it');
  }
  const prev = setTangents(null); // the rule's own ops are not differentiated forward again
  let t: TensorBase | null;
  try {
    t = op.tangent(ts, inputs, out, attrs);
  } finally {
    setTangents(prev);
  }
  if (t !== null) known.set(out, t);
}

function refuseTangentInPlace(op: OpDef<any>, target: TensorBase, inputs: readonly TensorBase[]): void {
  if (tangents!.has(target) || inputs.some((x) => tangents!.has(x))) {
    throw new Error(`jvp: ${op.name} would change a tensor in place (shape ${fmt(target.shape)}) where a tangent is carried; ` +
      'forward mode needs the out-of-place op');
  }
}

const AsyncFunction = (async () => {}).constructor;

/**
 * Run `fn` without recording a graph, like `torch.no_grad()`, and return its result: ops inside make tensors that do
 * not require grad, and in-place ops may change tensors that do (as optimizers' updates do). For evaluation and
 * weight updates. `fn` must be synchronous (an async function or a returned promise is refused).
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * noGrad(() => w.mul(2)).requiresGrad // false
 * noGrad(() => w.add_(1)) // [2, 3]
 * ```
 */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn, 'noGrad');

/**
 * Run `fn` recording a graph even inside noGrad, like `torch.enable_grad()`, and return its result (an optimizer's
 * closure runs so, for its backward). `fn` must be synchronous.
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * noGrad(() => enableGrad(() => w.mul(2))).requiresGrad // true
 * ```
 */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn, 'enableGrad');

function withGradMode<T>(on: boolean, fn: () => T, who: string): T {
  if (typeof fn !== 'function') throw new Error(`${who}: expected a function, got ${describe(fn)}`);
  if (fn.constructor === AsyncFunction) {
    throw new Error(`${who}: fn is an async function. Grad mode is switched for the code that runs now, so the ops after ` +
      `its first await would run in whatever mode is current then, silently; call ${who} on the synchronous parts instead`);
  }
  const prev = setGradMode(on);
  let result: T;
  try {
    result = fn();
  } finally {
    setGradMode(prev);
  }
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    throw new Error(`${who}: fn returned a promise. Grad mode only covered the code before its first await; ` +
      `call ${who} on the synchronous parts instead`);
  }
  return result;
}

/** What a value is, for error messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)}); make it a tensor with tensor([...])`;
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'object') return `an object of type ${v.constructor?.name ?? 'Object'}`;
  return `${typeof v} ${String(v)}`;
}

// A number operand becomes a 0-d constant. Programs reuse a few constants (0.5, a learning rate, n for a
// mean) in every step, so they are cached: nothing writes to a constant, and users never hold one.
const constants = new Map<number, TensorBase>();
// The constants last asked for, in turn, and their values (NaN matches nothing): a step usually asks for the same
// few, and a Map keyed by a double hashes it.
const recent: (TensorBase | null)[] = [null, null, null, null];
const recentValues = Float64Array.of(NaN, NaN, NaN, NaN);
let next = 0;

/** x as a tensor: itself, or a cached 0-d constant for a number; anything else is refused. */
export function operand(x: unknown, like: TensorBase, op: string, which: string): TensorBase {
  if (x instanceof TensorBase) return x;
  if (typeof x !== 'number') throw new Error(`${op}: ${which} must be a tensor or a number, got ${describe(x)}`);
  for (let i = 0; i < 4; i++) {
    if (recentValues[i] !== x) continue;
    const r = recent[i]!, v = r.store[r.offset]; // still holding x (a view of a constant can be written through)
    if (v === x && (x !== 0 || 1 / v === 1 / x)) return r; // 0 and −0 are different constants
  }
  let t = constants.get(x);
  if (t === undefined || !Object.is(t.buf[t.off], x)) { // Map keys conflate 0 and −0
    if (constants.size >= 1024) constants.clear();
    // Its own one-element array, not a slab run: a cached constant would keep a whole 16 KiB slab alive.
    t = new (like.constructor as new (data: Float64Array, shape: readonly number[]) => TensorBase)(Float64Array.of(x), []);
    constants.set(x, t);
  }
  recent[next] = t;
  recentValues[next] = x;
  next = (next + 1) & 3;
  return t;
}

/** The first tensor among the operands: the output is made like it. */
export function tensorAmong(op: string, a: unknown, b: unknown): TensorBase {
  if (a instanceof TensorBase) return a;
  if (b instanceof TensorBase) return b;
  throw new Error(`${op}: expected at least one tensor operand, got ${describe(a)} and ${describe(b)}`);
}

/** Throw unless `x` is a tensor (for ops whose operand may not be a number). */
export function expectTensor(op: string, which: string, x: unknown): TensorBase {
  if (x instanceof TensorBase) return x;
  throw new Error(`${op}: ${which} must be a tensor, got ${describe(x)}`);
}

export const shapes = (...ts: TensorBase[]): string => ts.map((t) => fmt(t.shape)).join(', ');
