// Anomaly detection (PyTorch's detect_anomaly): while it is on, the first op whose output holds NaN or ±Infinity,
// in the forward or inside a derivative rule, throws an Error naming the op, the phase, its inputs' shapes, which
// inputs already held non-finite values, and where in the user's code the op (or the op whose rule it was) was
// made. It watches the op door and the backward walk; off, it costs them nothing but a null check.
import { fmt } from '../tensor/shape.ts';
import { NO_VALUES, TensorBase } from './tensor-base.ts';
import { phase, setWatch, type Watch } from './state.ts';
import { describe } from './op.ts';

/** Where each graph tensor made in anomaly mode was made: the stack of the call that made it. */
const madeAt = new WeakMap<TensorBase, string>();
/** The tensor whose derivative rule is running (its ops are that tensor's backward), or null in the forward. */
let rule: TensorBase | null = null;

/** The first non-finite value of t, as [index, value], or null (also for a batched tensor inside vmap: no values). */
function firstNonFinite(t: TensorBase): [number, number] | null {
  if (t.base.store === NO_VALUES) return null;
  const d = t.buf, o = t.off;
  for (let i = 0; i < t.size; i++) if (!Number.isFinite(d[o + i])) return [i, d[o + i]];
  return null;
}

/** The stack of the call that reached the door, without the engine's own frames above the first user frame. */
function callerStack(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const user = lines.findIndex((l) => !/[\\/]src[\\/](autograd|tensor|nn)[\\/]|[\\/]dist[\\/]|node:internal/.test(l));
  return lines.slice(user < 0 ? 0 : user).join('\n');
}

/** The inputs' shapes, and where each already held a non-finite value (taken before the op ran: its output may
 *  have been written over an input, as scratch lent by the walk). */
function describeInputs(inputs: readonly TensorBase[], bad = inputs.map(firstNonFinite)): string {
  if (inputs.length === 0) return 'no inputs';
  return inputs.map((x, i) => `input ${i} ${fmt(x.shape)}${bad[i] === null ? '' : ` (already held ${bad[i]![1]} at index ${bad[i]![0]})`}`).join(', ');
}

const anomaly: Watch = {
  op(op, ins, _attrs, run) {
    const inputs = ins as readonly TensorBase[], before = inputs.map(firstNonFinite);
    const out = run() as TensorBase, bad = firstNonFinite(out);
    if (bad !== null) {
      const [i, v] = bad;
      if (rule === null) {
        throw new Error(`anomaly: '${op.name}' (${phase === 'backward' ? 'backward, summing gradients' : phase}) produced ${v} at index ${i} of its output ${fmt(out.shape)}; ` +
          `${describeInputs(inputs, before)}. It was called at:\n${callerStack()}`);
      }
      const made = madeAt.get(rule);
      throw new Error(`anomaly: the backward of '${rule.gradFn?.name}' ${fmt(rule.shape)} produced ${v} at index ${i} ` +
        `(in its op '${op.name}', output ${fmt(out.shape)}; ${describeInputs(inputs, before)}); '${rule.gradFn?.name}' has inputs ` +
        `${describeInputs(rule.inputs)}. It was made ${made === undefined ? (rule.base.store === NO_VALUES ? 'inside vmap (a batched op is not watched: its ops on the batch are)' : 'before anomaly mode was on') : `at:\n${made}`}`);
    }
    if (out.gradFn !== null && !madeAt.has(out)) madeAt.set(out, callerStack());
    return out;
  },
  rule(node, run) {
    const prev = rule;
    rule = node as TensorBase;
    try {
      return run();
    } finally {
      rule = prev;
    }
  },
};

let on = false;

/** Switch anomaly detection on or off for everything that follows (PyTorch's set_detect_anomaly). */
export function setDetectAnomaly(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new Error(`setDetectAnomaly: expected true or false, got ${describe(enabled)}`);
  on = enabled;
  setWatch(anomaly, enabled);
}

/** Whether anomaly detection is on. */
export const isAnomalyEnabled = (): boolean => on;

/**
 * Run fn with anomaly detection on (PyTorch's detect_anomaly): the first op whose forward output or whose
 * backward gradient holds NaN or ±Infinity throws an Error naming it. Slow: use it to find where a NaN comes from.
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`detectAnomaly: expected a function, got ${describe(fn)}`);
  const prev = on;
  setDetectAnomaly(true);
  try {
    return fn();
  } finally {
    setDetectAnomaly(prev);
  }
}
