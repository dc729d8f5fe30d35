// compile(fn): a training step traced and then replayed. Every op the step applies (forward, the backward
// walk's rules, the optimizer's in-place updates) is recorded as a step; later calls rerun just those steps
// into the same buffers, with no graph, no allocation and no JavaScript of fn itself.
import { copyRun, RUNTIME_CODE } from '../tensor/kernels.ts';
import { fmt, sameShape } from '../tensor/shape.ts';
import { TensorBase, type Step } from './tensor-base.ts';
import { setTape, tangents, tick, watch } from './state.ts';
import { describe } from './op.ts';
import { Tensor } from './tensor.ts';
import { generate, type Program } from './replay.ts';

/** What a compiled function may return: nothing, a tensor, or an array or object of tensors. */
export type StepResult = void | Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/** A function made by {@link compile}: call it as `fn`, with tensor arguments. */
export interface Compiled<A extends Tensor[], R extends StepResult> {
  /** Run the step (the first three calls trace it, later ones replay it); the results are copies. */
  (...args: A): R;
  /** The replayed program as JavaScript (for reading; null until the step has been traced). */
  toSource(): string | null;
}

/** Where a traced tensor comes from: made by step k of the trace, or outside it (compared by identity or value). */
type Ref = { made: number } | { outside: TensorBase };

interface Trace { steps: Step[]; result: StepResult; start: number; made: Map<TensorBase, number> }

const tensorsOf = (r: StepResult): Tensor[] =>
  r === undefined ? [] : r instanceof Tensor ? [r] : Array.isArray(r) ? [...r] : Object.values(r as Record<string, Tensor>);

/** A copy of a result (outside any graph): replays overwrite the traced tensors, never what a caller holds. */
function copyOf<R extends StepResult>(r: R): R {
  const copy = (t: Tensor): Tensor => {
    const c = t.make(t.shape.slice(), t.size);
    copyRun(t.size, t.buf, t.off, c.buf, c.off);
    return c;
  };
  if (r === undefined) return r;
  if (r instanceof Tensor) return copy(r) as R;
  if (Array.isArray(r)) return r.map(copy) as unknown as R;
  return Object.fromEntries(Object.entries(r as Record<string, Tensor>).map(([k, t]) => [k, copy(t)])) as R;
}

function checkResult(r: unknown): StepResult {
  const ok = r === undefined || r instanceof Tensor || (typeof r === 'object' && r !== null && Object.values(r).every((t) => t instanceof Tensor));
  if (!ok) throw new Error(`compile: the function must return nothing, a tensor, or an array or object of tensors, got ${describe(r)}`);
  return r as StepResult;
}

function record(fn: (...xs: Tensor[]) => unknown, inputs: Tensor[]): Trace {
  const steps: Step[] = [], start = tick();
  const prev = setTape(steps);
  let result: StepResult;
  try {
    result = checkResult(fn(...inputs));
  } finally {
    setTape(prev);
  }
  const made = new Map<TensorBase, number>();
  steps.forEach((s, k) => { if (!s.inPlace) made.set(s.out, k); });
  return { steps, result, start, made };
}

const refOf = (t: Trace, x: TensorBase): Ref => (t.made.has(x) ? { made: t.made.get(x)! } : { outside: x });

/** Equal settings: numbers, strings, booleans, arrays, typed arrays and plain objects of them; any other object
 *  (a generator an op draws from) must be the same one. */
function sameAttrs(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || a.constructor !== b.constructor) return false;
  if (a.constructor !== Object && a.constructor !== Array && !ArrayBuffer.isView(a)) return false;
  if (ArrayBuffer.isView(a)) return (a as Int32Array).length === (b as Int32Array).length && (a as Int32Array).every((v, i) => Object.is(v, (b as Int32Array)[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameAttrs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Two traces of the same call do the same thing when they run the same ops with the same settings on the same
 * tensors: a tensor made inside the call is matched by the step that made it, or (made outside the ops, like a
 * backward seed or a literal) by its values; one from before the call (a parameter, its gradient, optimizer
 * state) must be the very same tensor. The first difference, described, or null.
 */
function difference(a: Trace, b: Trace): string | null {
  if (a.steps.length !== b.steps.length) return `the first call ran ${a.steps.length} ops and the second ${b.steps.length}`;
  const sameRef = (x: TensorBase, y: TensorBase): boolean => {
    const rx = refOf(a, x), ry = refOf(b, y);
    if ('made' in rx || 'made' in ry) return 'made' in rx && 'made' in ry && rx.made === ry.made;
    if (x.serial <= a.start || y.serial <= b.start) return x === y;
    return x.size === y.size && fmt(x.shape) === fmt(y.shape) && x.values().every((v, i) => Object.is(v, y.values()[i]));
  };
  for (let k = 0; k < a.steps.length; k++) {
    const s = a.steps[k], t = b.steps[k];
    const where = `op ${k + 1} ('${s.op.name}', shape ${fmt(s.out.shape)})`;
    if (s.op !== t.op || s.inPlace !== t.inPlace || fmt(s.out.shape) !== fmt(t.out.shape)) return `${where} became '${t.op.name}' ${fmt(t.out.shape)}`;
    if (!sameAttrs(s.attrs, t.attrs)) return `${where} ran with other settings (a number computed outside the tensor ops changes between calls)`;
    if (s.inputs.length !== t.inputs.length || s.inputs.some((x, i) => !sameRef(x, t.inputs[i]))) return `${where} read other tensors`;
    if (s.inPlace && !sameRef(s.out, t.out)) return `${where} wrote into another tensor`;
  }
  const ra = tensorsOf(a.result), rb = tensorsOf(b.result);
  if (ra.length !== rb.length || ra.some((x, i) => !sameRef(x, rb[i]))) return 'the function returned other tensors';
  return null;
}

function sameShapes(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameShape(a[i].shape, b[i].shape)) return false;
  return true;
}

/**
 * A step function traced and replayed. The first call runs fn as it is (optimizer state and gradients come into
 * being); the next two run it while recording its ops, and must record the same program (else compile throws,
 * saying what changed: fn's ops may not depend on tensor values or on numbers that change between calls); every
 * later call copies its arguments into the traced inputs and reruns the program, returning copies of fn's results.
 * Tensor arguments are inputs whose values are read at each call; new shapes trace again. fn's own JavaScript runs
 * only while it is traced, so it may not read tensor values (item(), .data) or draw random numbers.
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1 });
 * const step = compile((x) => {
 *   opt.zeroGrad();
 *   const loss = x.mul(w).sum();
 *   loss.backward();
 *   opt.step();
 *   return loss;
 * });
 * for (let i = 0; i < 4; i++) step(tensor([1, 1]));
 * w // [0.6, 1.6]
 * ```
 */
export function compile<A extends Tensor[], R extends StepResult>(fn: (...args: A) => R): Compiled<A, R> {
  if (typeof fn !== 'function') throw new Error(`compile: expected a function, got ${describe(fn)}`);
  if (!RUNTIME_CODE) { // a replay is JavaScript generated for the step (replay.ts)
    throw new Error("compile: this platform forbids code generated at run time (a Content-Security-Policy without 'unsafe-eval'), " +
      'which a compiled step is; call the function itself');
  }
  interface Entry { calls: number; inputs: Tensor[] | null; first: Trace | null; program: Program<StepResult> | null }
  const entries = new Map<string, Entry>();
  let last: Program<StepResult> | null = null, recent: Entry | null = null;

  /** The entry for these argument shapes: the one used last, when they match it (the common case), else by key. */
  const entryFor = (args: readonly Tensor[]): Entry => {
    if (recent?.inputs != null && sameShapes(recent.inputs, args)) return recent;
    const key = args.map((x) => fmt(x.shape)).join(' ');
    let e = entries.get(key);
    if (e === undefined) entries.set(key, (e = { calls: 0, inputs: null, first: null, program: null }));
    return e;
  };

  const compiled = (...args: A): R => {
    if (watch !== null) {
      throw new Error('compile: a compiled step replays its ops without the op door, so profile() and anomaly mode cannot see them; ' +
        'call the function itself (without compile) to profile it or to find a NaN');
    }
    if (tangents !== null) throw new Error('compile: a compiled step replays its ops without the op door, so jvp cannot carry tangents through it; call the function itself');
    for (let i = 0; i < args.length; i++) {
      const x: unknown = args[i];
      if (!(x instanceof Tensor)) throw new Error(`compile: argument ${i} must be a tensor, got ${describe(x)}`);
      if (x.requiresGrad) throw new Error(`compile: argument ${i} (shape ${fmt(x.shape)}) requires grad; arguments are data read at each call, parameters belong in the function's closure`);
    }
    const e = recent = entryFor(args);
    e.calls++;
    if (e.calls === 1) return fn(...args);
    // The traced calls and the replays read the arguments through inputs of the program's own, pointed at each
    // call's arguments' storage (not copied: a replay reads it, as the eager step would, and writes where fn would).
    e.inputs ??= args.map((x) => Tensor.from(new Float64Array(x.size), [...x.shape]));
    for (let i = 0; i < args.length; i++) {
      const input = e.inputs[i].base, arg = args[i].base;
      input.store = arg.store;
      input.offset = arg.offset;
      input.onSlab = arg.onSlab;
    }
    if (e.program !== null) {
      e.program.run();
      return copyOf(e.program.result as R);
    }
    const trace = record(fn as (...xs: Tensor[]) => unknown, e.inputs);
    if (e.first === null) {
      e.first = trace;
      return copyOf(trace.result as R);
    }
    const diff = difference(e.first, trace);
    if (diff !== null) {
      for (const [k, v] of entries) if (v === e) entries.delete(k);
      recent = null;
      throw new Error(`compile: the function does not run the same tensor ops at each call, so it cannot be replayed: ${diff}`);
    }
    e.first = null;
    last = e.program = generate(trace.steps, trace.result);
    return copyOf(trace.result as R);
  };
  return Object.assign(compiled, { toSource: () => last?.source ?? null });
}
