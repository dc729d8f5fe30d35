// How an op runs and joins the graph: grad mode, number operands, and emit (run an op into a new tensor, then
// record it). Every op of the library, forward or inside a derivative rule, goes through here.
import { fmt, type Shape } from '../tensor/shape.ts';
import { tape, TensorBase, type AnyOp } from './tensor-base.ts';

export type Operand = TensorBase | number;

let gradEnabled = true;
const AsyncFunction = (async () => {}).constructor;
export const isGradEnabled = (): boolean => gradEnabled;

/** Switch recording on or off; returns the previous setting (restore it in a finally). */
export function setGradMode(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/** Run fn without recording a graph (for updates and evaluation), like torch.no_grad(). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Run fn with recording switched on or off (the backward walk records its rules only for createGraph). */
function withGradMode<T>(on: boolean, fn: () => T, who = 'withGradMode'): T {
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
let latest: TensorBase | null = null; // the constant last asked for: a step usually asks for the same few in turn

/** x as a tensor: itself, or a cached 0-d constant for a number; anything else is refused. */
export function operand(x: unknown, like: TensorBase, op: string, which: string): TensorBase {
  if (x instanceof TensorBase) return x;
  if (typeof x !== 'number') throw new Error(`${op}: ${which} must be a tensor or a number, got ${describe(x)}`);
  if (latest !== null && Object.is(latest.buf[latest.off], x)) return latest;
  let t = constants.get(x);
  if (t === undefined || !Object.is(t.buf[t.off], x)) { // Map keys conflate 0 and −0
    if (constants.size >= 1024) constants.clear();
    // Its own one-element array, not a slab run: a cached constant would keep a whole 16 KiB slab alive.
    t = new (like.constructor as new (data: Float64Array, shape: readonly number[]) => TensorBase)(Float64Array.of(x), []);
    constants.set(x, t);
  }
  return (latest = t);
}

/** The first tensor among the operands: the output is made like it. */
export function tensorAmong(op: string, a: unknown, b: unknown): TensorBase {
  if (a instanceof TensorBase) return a;
  if (b instanceof TensorBase) return b;
  throw new Error(`${op}: expected at least one tensor operand, got ${describe(a)} and ${describe(b)}`);
}

/** Make `out` the output of op in the graph when grad mode is on and an input requires grad. */
export function record<T extends TensorBase>(out: T, op: AnyOp, inputs: readonly TensorBase[], attrs: unknown): T {
  if (tape !== null) tape.push({ op, out, inputs, attrs, inPlace: false });
  if (gradEnabled) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out.link(op, inputs, attrs);
        break;
      }
    }
  }
  return out;
}

/** Run op into a new tensor of `shape` (made like `like`) and record it. */
export function emit<T extends TensorBase>(op: AnyOp, like: T, inputs: readonly TensorBase[], shape: Shape, attrs?: unknown): T {
  const out = like.make(shape);
  op.run(out, inputs, attrs);
  return record(out, op, inputs, attrs);
}

/** Throw unless `x` is a tensor (for ops whose operand may not be a number). */
export function expectTensor(op: string, which: string, x: unknown): TensorBase {
  if (x instanceof TensorBase) return x;
  throw new Error(`${op}: ${which} must be a tensor, got ${describe(x)}`);
}

export const shapes = (...ts: TensorBase[]): string => ts.map((t) => fmt(t.shape)).join(', ');
