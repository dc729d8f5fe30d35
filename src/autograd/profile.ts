// The profiler: while profile(fn) runs, every op the door applies and every derivative rule the backward walk runs
// is timed, with its phase (forward, backward, optimizer), an estimate of its floating-point operations and the
// bytes it reads and writes. A rule's span holds the ops it applied, so self time is a span's time less its
// children's. Off, it costs the door and the walk a null check.
import { fmt } from '../tensor/shape.ts';
import type { TensorBase } from './tensor-base.ts';
import { phase, setPhase, setWatch, type Phase, type Watch } from './state.ts';
import { describe } from './op.ts';

export type { Phase };

/** One timed span: an op applied through the door, a derivative rule, or a span named with recordFunction. */
export interface ProfileEvent {
  /** The op's name; `∂` and the op's name for its derivative rule; a recordFunction span's name. */
  name: string;
  /** An op applied through the door, a derivative rule run by the backward walk, or a named span. */
  kind: 'op' | 'rule' | 'span';
  /** The part of the step it ran in. */
  phase: Phase;
  /** Start and duration in microseconds (start from the beginning of the profile). */
  start: number;
  /** Its wall time in microseconds, spans inside it included. */
  duration: number;
  /** The duration less that of the spans inside it. */
  self: number;
  /** How many spans enclose it. */
  depth: number;
  /** Floating-point operations (an estimate: 2·M·N·K for a product, one per element otherwise) and bytes read and
   *  written (8 per value of the inputs and the output); 0 for rules and named spans, whose ops count their own. */
  flops: number;
  /** Bytes read and written (see flops). */
  bytes: number;
  /** The output's shape (ops), or the shape of the tensor whose rule ran (rules); [] for a named span. */
  shape: readonly number[];
}

/** One row of Profile.averages(): the events of one name in one phase, added up (times in microseconds). */
export interface ProfileRow {
  /** The events' name. */
  name: string;
  /** Their phase. */
  phase: Phase;
  /** How many there were. */
  calls: number;
  /** Their self time. */
  self: number;
  /** Their time, spans inside them included. */
  total: number;
  /** Their floating-point operations. */
  flops: number;
  /** The bytes they read and wrote. */
  bytes: number;
}

/** What profile() recorded: the events in the order they started, and the time of the whole function. */
export class Profile<T = unknown> {
  /** @internal */
  constructor(
    /** Every span, in the order they started. */
    readonly events: readonly ProfileEvent[],
    /** The wall time of the whole profiled function, in microseconds. */
    readonly total: number,
    /** What the profiled function returned (undefined when it threw). */
    readonly result: T,
  ) {}

  /** Self time, calls, FLOPs and bytes per op name and phase, as PyTorch's key_averages(): one row each. */
  averages(): ProfileRow[] {
    const rows = new Map<string, ProfileRow>();
    for (const e of this.events) {
      const key = `${e.name}\u0000${e.phase}`;
      const r = rows.get(key) ?? { name: e.name, phase: e.phase, calls: 0, self: 0, total: 0, flops: 0, bytes: 0 };
      r.calls++; r.self += e.self; r.total += e.duration; r.flops += e.flops; r.bytes += e.bytes;
      rows.set(key, r);
    }
    return [...rows.values()];
  }

  /**
   * The per-op table, like PyTorch's key_averages().table(): name, phase, calls, self time (total and share of the
   * profiled time), total time, FLOPs and GFLOP/s, bytes; sorted by `sortBy` (default self time), `rowLimit` rows.
   */
  table(opts: { sortBy?: 'self' | 'total' | 'calls' | 'flops' | 'bytes' | 'name'; rowLimit?: number } = {}): string {
    if (typeof opts !== 'object' || opts === null) throw new Error(`table: options must be an object, got ${describe(opts)}`);
    const { sortBy = 'self', rowLimit = Infinity } = opts;
    if (!['self', 'total', 'calls', 'flops', 'bytes', 'name'].includes(sortBy)) {
      throw new Error(`table: sortBy must be 'self', 'total', 'calls', 'flops', 'bytes' or 'name', got ${describe(sortBy)}`);
    }
    if (!(typeof rowLimit === 'number' && rowLimit >= 1)) throw new Error(`table: rowLimit must be a number ≥ 1, got ${describe(rowLimit)}`);
    const rows = this.averages().sort((a, b) => sortBy === 'name' ? a.name.localeCompare(b.name) : b[sortBy] - a[sortBy]).slice(0, rowLimit);
    const us = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(3)} ms` : `${v.toFixed(2)} µs`);
    const head = ['Name', 'Phase', 'Calls', 'Self time', 'Self %', 'Total time', 'FLOPs', 'GFLOP/s', 'Bytes'];
    const body = rows.map((r) => [r.name, r.phase, String(r.calls), us(r.self), `${((100 * r.self) / this.total).toFixed(1)}%`, us(r.total),
      r.flops === 0 ? '-' : r.flops.toExponential(2), r.flops === 0 || r.self === 0 ? '-' : (r.flops / r.self / 1000).toFixed(2),
      r.bytes === 0 ? '-' : r.bytes.toExponential(2)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const rule = widths.map((w) => '-'.repeat(w)).join('  ');
    const self = this.events.reduce((s, e) => s + e.self, 0);
    return [rule, line(head), rule, ...body.map(line), rule,
      `Self time of all spans: ${us(self)} of ${us(this.total)} profiled (${((100 * self) / this.total).toFixed(1)}%)`].join('\n');
  }

  /** The events as Chrome trace JSON (chrome://tracing, Perfetto): a complete event per span, nested by time. */
  toChromeTrace(): string {
    const traceEvents = this.events.map((e) => ({
      name: e.name, cat: `${e.phase},${e.kind}`, ph: 'X', ts: e.start, dur: e.duration, pid: 1, tid: 1,
      args: { shape: fmt(e.shape), flops: e.flops, bytes: e.bytes },
    }));
    return JSON.stringify({ traceEvents, displayTimeUnit: 'ms' });
  }
}

/** Floating-point operations of one application, estimated from its settings and sizes. */
function flopsOf(out: TensorBase, inputs: readonly TensorBase[], attrs: unknown): number {
  const a = attrs as { M?: unknown; N?: unknown; K?: unknown; ao?: { length: number }; rows?: unknown } | undefined;
  if (typeof a === 'object' && a !== null) {
    if (typeof a.M === 'number' && typeof a.N === 'number' && typeof a.K === 'number') return 2 * a.M * a.N * a.K * (a.ao?.length ?? 1);
    if (typeof a.rows === 'number' && typeof a.K === 'number' && typeof a.N === 'number') return 2 * a.rows * a.K * a.N;
  }
  let n = out.size;
  for (let i = 0; i < inputs.length; i++) n = Math.max(n, inputs[i].size);
  return n;
}

const NO_SHAPE: readonly number[] = [];
/** '∂' and an op's name, the label of its rule's spans: made once per op. */
const ruleLabels = new WeakMap<object, string>();

class Recorder implements Watch {
  readonly events: ProfileEvent[] = [];
  /** Per open span, outermost first: the time of the spans closed inside it so far. */
  private readonly inside: number[] = [];
  constructor(private readonly t0: number) {}

  /** Record a span that starts now; close it with `close`. */
  private open(name: string, kind: ProfileEvent['kind'], shape: readonly number[]): ProfileEvent {
    const event: ProfileEvent = { name, kind, phase, start: 0, duration: 0, self: 0, depth: this.inside.length, flops: 0, bytes: 0, shape };
    this.events.push(event);
    this.inside.push(0);
    return event;
  }

  private close(event: ProfileEvent, start: number): void {
    const end = performance.now(), inside = this.inside.pop()!, n = this.inside.length;
    event.start = 1000 * (start - this.t0);
    event.duration = 1000 * (end - start);
    event.self = event.duration - inside;
    if (n > 0) this.inside[n - 1] += event.duration;
  }

  span<R>(name: string, kind: ProfileEvent['kind'], shape: readonly number[], run: () => R): R {
    const event = this.open(name, kind, shape), start = performance.now();
    try {
      return run();
    } finally {
      this.close(event, start);
    }
  }

  // An op's span, written out rather than through span(), so that measuring its output needs no closure per op.
  op(op: { readonly name: string }, ins: readonly unknown[], attrs: unknown, run: () => unknown): unknown {
    const event = this.open(op.name, 'op', NO_SHAPE), start = performance.now();
    try {
      const out = run() as TensorBase, inputs = ins as readonly TensorBase[];
      let bytes = 8 * out.size;
      for (let i = 0; i < inputs.length; i++) bytes += 8 * inputs[i].size;
      event.shape = out.shape;
      event.flops = flopsOf(out, inputs, attrs);
      event.bytes = bytes;
      return out;
    } finally {
      this.close(event, start);
    }
  }

  rule(node: unknown, run: () => unknown): unknown {
    const t = node as TensorBase, op = t.gradFn;
    let label = op === null ? '∂?' : ruleLabels.get(op);
    if (label === undefined) ruleLabels.set(op!, label = `∂${op!.name}`);
    return this.span(label, 'rule', t.shape, run);
  }
}

let recorder: Recorder | null = null;

/**
 * Run fn with the profiler on and return what it recorded (`result` holds fn's return value): every op's forward,
 * every rule's backward and every recordFunction span, timed, with FLOPs and bytes; see Profile.table and
 * Profile.toChromeTrace. If fn throws, the error carries what was recorded as `error.profile`. Profiles do not
 * nest, and a compiled step cannot be profiled (its replay runs without the door): both throw.
 */
export function profile<T>(fn: () => T): Profile<T> {
  if (typeof fn !== 'function') throw new Error(`profile: expected a function, got ${describe(fn)}`);
  if (recorder !== null) throw new Error('profile: a profile is already being recorded; profiles do not nest (use recordFunction to mark a part)');
  const t0 = performance.now(), rec = recorder = new Recorder(t0);
  setWatch(rec, true);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    if (typeof e === 'object' && e !== null) Object.assign(e, { profile: new Profile(rec.events, 1000 * (performance.now() - t0), undefined) });
    throw e;
  } finally {
    setWatch(rec, false);
    recorder = null;
  }
  return new Profile(rec.events, 1000 * (performance.now() - t0), result);
}

/** Whether a profile is being recorded. */
export const isProfiling = (): boolean => recorder !== null;

/**
 * Run fn as a named span of the profile being recorded (PyTorch's record_function), its ops counted in `phase`
 * (default: the current one); without a profile, just run fn.
 */
export function recordFunction<T>(name: string, fn: () => T, opts: { phase?: Phase } = {}): T {
  if (typeof name !== 'string') throw new Error(`recordFunction: name must be a string, got ${describe(name)}`);
  if (typeof fn !== 'function') throw new Error(`recordFunction: expected a function, got ${describe(fn)}`);
  if (recorder === null) return fn();
  const prev = setPhase(opts.phase ?? phase);
  try {
    return recorder.span(name, 'span', NO_SHAPE, fn);
  } finally {
    setPhase(prev);
  }
}
