// One layer and direction of an RNN, LSTM or GRU over a whole sequence. The input's part of every step is one
// product x·W_ihᵀ for all steps; the recurrence is then one op: its forward is a kernel (src/tensor/recurrence.ts),
// and its rules are backpropagation through time written in tensor ops, so it differentiates to any order. A walk
// that records nothing (a plain backward()) runs the same sums as one kernel op instead of some 25 small ops per
// step; the two ways agree bit for bit (test/recurrent.test.ts).
//
// Why one op and not a loop of ops: a step's slice of the sequence (a select) has the whole sequence's shape as
// its gradient, so L selects would cost the backward L sequences of zeros to fill and add; here backpropagation
// makes each step's gradient once and stacks them.
import { gruSteps, gruStepsBack, lstmSteps, lstmStepsBack, rnnSteps, rnnStepsBack, type Recurrence } from '../../tensor/recurrence.ts';
import { makeOp, type BatchRule, type OpDef, type Rule, type TensorBase } from '../tensor-base.ts';
import { apply } from '../op.ts';
import { gradEnabled, tangents } from '../state.ts';
import { add, mul, reluBackward, sigmoidBackward, sub, tanhBackward } from './elementwise.ts';
import { expand } from './broadcast.ts';
import { cat, stack } from './join.ts';
import { mm } from './matmul.ts';
import { permute, reshape, unsqueeze } from './movement.ts';
import { eachExample } from './per-example.ts';
import { sum } from './reduce.ts';
import { narrow, select, slice } from './slice.ts';

type T = TensorBase;

/** A recurrence's sizes (L steps, batch N, hidden size H), its direction, and for an RNN its nonlinearity. */
interface Steps { L: number; N: number; H: number; reverse: boolean; relu: boolean }

/** The kernel's view of an application: its sizes and its inputs [xp, W_hh, b_ih, b_hh, h0, …]. */
const recurrence = (ins: readonly T[], s: Steps): Recurrence =>
  ({ L: s.L, N: s.N, H: s.H, reverse: s.reverse, xp: ins[0], w: ins[1], bIh: ins[2], bHh: ins[3], h0: ins[4] });

// ——— vmap: a batch of B examples, each its own sequences, is one recurrence of B·N sequences (the kernels' N). ———

/**
 * The batching rule of a recurrence op (or its backward kernel), given where N is in each input (null for the
 * weights and biases) and in the output. Weights shared by the batch: the examples' sequences, made one batch of
 * B·N sequences, run as one recurrence; weights per example (an ensemble): a recurrence per example.
 */
function sequencesRule<S extends Steps>(op: () => OpDef<S>, nAxes: readonly (number | null)[], outN: number): BatchRule<S> {
  return (xs, batched, s, shape) => {
    if (xs.some((_, i) => batched[i] && nAxes[i] === null)) return eachExample(op(), xs, batched, s, shape);
    const B = xs[batched.indexOf(true)].shape[0];
    const ins = xs.map((x, i) => (nAxes[i] === null ? x : intoSequences(batched[i] ? x : expand(x, [B, ...x.shape]), nAxes[i]!)));
    const out = apply(op(), ins[0], ins, shape.map((d, k) => (k === outN ? d * B : d)), { ...s, N: s.N * B });
    return outOfSequences(out, outN, B);
  };
}

/** x [B, ...] with B moved next to axis n of one example and merged into it: [..., B·N, ...]. */
function intoSequences(x: T, n: number): T {
  const order = x.shape.map((_, k) => k).slice(1);
  order.splice(n, 0, 0);
  const moved = permute(x, order), dims = moved.shape.slice();
  dims.splice(n, 2, dims[n] * dims[n + 1]);
  return reshape(moved, dims);
}

/** y [..., B·N at axis n, ...] back to the batch's [B, ..., N, ...]. */
function outOfSequences(y: T, n: number, B: number): T {
  const dims = y.shape.slice();
  dims.splice(n, 1, B, y.shape[n] / B);
  const order = dims.map((_, k) => k).filter((k) => k !== n);
  return permute(reshape(y, dims), [n, ...order]);
}

// Where N is: xp [L, N, G] at 1, h0 and c0 [N, H] at 0; in y and its gradient [k, L, N, H] at 2.
const FORWARD_N = [1, null, null, null, 0, 0], BACKWARD_N = [2, 2, ...FORWARD_N];

/**
 * x·wᵀ + b for x [..., in], a weight w in PyTorch's layout [out, in] and a bias b [out] (or null): PyTorch's
 * `F.linear`, one product with w read transposed in place.
 */
export function projection<X extends T>(x: X, w: T, b: T | null): X {
  const rows = reshape(x, [-1, x.shape[x.ndim - 1]]);
  const y = reshape(mm(rows, w, false, true), [...x.shape.slice(0, -1), w.shape[0]]);
  return b === null ? y : add(y, b as X);
}

/** What backpropagation through time yields: the gradients of xp (dX [L, N, G], the gates' pre-activations), of
 *  the hidden part a = h_prev·W_hhᵀ + b_hh (dA: dX itself but for a GRU's n gate), of h0, and of an LSTM's c0. */
interface ThroughTime { dX: T; dA: T; dh0: T | null; dc0: T | null }

/** How one kind of recurrence goes back through time: in tensor ops (`ops`, when the walk records, so the
 *  gradients can be differentiated again), or as one op running the same sums in a kernel (`kernel`, when not). */
interface Backward {
  ops: (g: T, ins: readonly T[], y: T, s: Steps) => ThroughTime;
  kernel: OpDef<Steps & { initial: boolean }>;
  /** The kernel's rows of per-step gradients in its output [rows (+ 1), N, G]: dX, and for a GRU dA after it. */
  rows: (L: number) => number;
}

/** The unrecorded way: the kernel's output cut into its parts (no cut when it is dX alone, as mostly). */
function fromKernel(b: Backward, g: T, ins: readonly T[], y: T, s: Steps): ThroughTime {
  const { L, N, H } = s, G = ins[1].shape[0], R = b.rows(L), c0 = ins[5];
  const initial = ins[4].requiresGrad || c0?.requiresGrad === true; // the row of [dh0 | dc0] only when wanted
  const out = apply(b.kernel, g, [g, y, ...ins], [R + (initial ? 1 : 0), N, G], { ...s, initial });
  const dX = R === L && !initial ? out : narrow(out, 0, 0, L);
  return {
    dX, dA: R === L ? dX : narrow(out, 0, L, L),
    dh0: initial ? slice(out, [R, null, [0, H]]) : null, dc0: initial && c0 !== undefined ? slice(out, [R, null, [H, 2 * H]]) : null,
  };
}

// The walk asks an op for one input's gradient at a time, with the same g; backpropagation through time yields
// them all at once, so the first rule to run keeps the rest here (by output, for that g) for the others to take.
const pending = new WeakMap<T, { g: T; grads: (T | null)[] }>();

/** One rule per input, each taking its gradient from the list backpropagation through time gives for (output, g). */
function rulesOf(inputs: number, b: Backward): Rule<Steps>[] {
  // The kernel's op has no rules and no tangent: the ops' way whenever something is recorded or carried (jvp).
  const all = (g: T, ins: readonly T[], y: T, s: Steps): (T | null)[] =>
    inputGrads(ins, y, gradEnabled || tangents !== null ? b.ops(g, ins, y, s) : fromKernel(b, g, ins, y, s), s);
  return Array.from({ length: inputs }, (_, i): Rule<Steps> => (g, ins, y, s) => {
    let p = pending.get(y);
    if (p === undefined || p.g !== g || p.grads[i] === null) pending.set(y, p = { g, grads: all(g, ins, y, s) });
    const grad = p.grads[i]!;
    p.grads[i] = null;
    if (p.grads.every((d) => d === null)) pending.delete(y);
    return grad;
  });
}

/** The steps in the order backpropagation visits them, the reverse of the forward's: [t, the step before t or −1]. */
function* backwards({ L, reverse }: Steps): Generator<[number, number]> {
  for (let k = L - 1; k >= 0; k--) yield reverse ? [L - 1 - k, k === 0 ? -1 : L - k] : [k, k - 1];
}

/** a + b, or a alone when b is null (nothing arrived yet from the step after). */
const plus = (a: T, b: T | null): T => (b === null ? a : add(a, b));

/** The `n` planes of a packed [n, L, N, H] tensor (a recurrence's saved values, or their gradients). */
const planes = (y: T, n: number): T[] => Array.from({ length: n }, (_, k) => select(y, 0, k));

// ——— Forward mode: the recurrence's tangent, step by step in the forward's order (null terms are zero). ———

/** The steps in the forward's order: [t, the step before t or −1]. */
function* forwards({ L, reverse }: Steps): Generator<[number, number]> {
  for (let k = 0; k < L; k++) yield reverse ? [L - 1 - k, k === 0 ? -1 : L - k] : [k, k - 1];
}

/** a·b, zero (null) when a is. */
const times = (a: T | null, b: T): T | null => (a === null ? null : mul(a, b));

/** The sum of the terms, zero (null) when all are, broadcast to `shape` (a bias's tangent is one row). */
function total(terms: readonly (T | null)[], shape: readonly number[]): T | null {
  let s: T | null = null;
  for (const t of terms) if (t !== null) s = s === null ? t : add(s, t);
  return s === null || s.ndim === shape.length ? s : expand(s, shape);
}

/** The tangent t through an activation whose derivative is read from its output y (σ' or tanh'), zero if t is. */
const through = (t: T | null, y: T, back: (t: T, y: T) => T): T | null => (t === null ? null : back(t, y));

/**
 * The tangents of step t's pre-activations from those of the inputs: ∂(xp_t + b_ih), and ∂(h_prev·W_hhᵀ + b_hh) =
 * ∂h_prev·W_hhᵀ + h_prev·∂W_hhᵀ + ∂b_hh, each [N, G] (or null for zero).
 */
function preActivations(ts: readonly (T | null)[], ins: readonly T[], t: number, hPrev: T, thPrev: T | null): [T | null, T | null] {
  const [txp, tw, tbi, tbh] = ts, w = ins[1], shape = [hPrev.shape[0], w.shape[0]];
  return [
    total([txp && select(txp, 0, t), tbi], shape),
    total([thPrev && mm(thPrev, w, false, true), tw && mm(hPrev, tw, false, true), tbh], shape),
  ];
}

/** The packed tangent [planes, L, N, H] from each plane's tangent at each step (null: zero); null if all are. */
function packed(steps: (T | null)[][], y: T): T | null {
  if (steps.every((p) => p.every((t) => t === null))) return null;
  const zero = (): T => y.make([y.shape[2], y.shape[3]], y.shape[2] * y.shape[3]);
  return stack(steps.map((p) => stack(p.map((t) => t ?? zero()))));
}

/**
 * The gradients of the inputs [xp, W_hh, b_ih, b_hh, h0(, c0)] from those through time. W_hh's is
 * Σ_t dA_tᵀ·h_prev: one product over the whole sequence, h_prev being h0 then the h of each step (y's first plane).
 */
function inputGrads(ins: readonly T[], y: T, { dX, dA, dh0, dc0 }: ThroughTime, s: Steps): (T | null)[] {
  const [xp, w, bIh, bHh, h0, c0] = ins, { L, N, H } = s;
  let dw: T | null = null;
  if (w.requiresGrad) {
    const first = unsqueeze(h0, 0), rest = (start: number): T => slice(y, [0, [start, start + L - 1]]);
    const hPrev = L === 1 ? first : s.reverse ? cat([rest(1), first]) : cat([first, rest(0)]);
    dw = mm(reshape(dA, [L * N, w.shape[0]]), reshape(hPrev, [L * N, H]), true, false);
  }
  const bias = (d: T): T => sum(reshape(d, [L * N, d.shape[2]]), 0);
  const db = bIh.requiresGrad || (bHh.requiresGrad && dA === dX) ? bias(dX) : null; // b_ih's and b_hh's, unless a GRU's
  return [
    xp.requiresGrad ? dX : null, dw,
    bIh.requiresGrad ? db : null, bHh.requiresGrad ? (dA === dX ? db : bias(dA)) : null,
    h0.requiresGrad ? dh0 : null, c0?.requiresGrad ? dc0 : null,
  ];
}

// ——— RNN: h_t = act(a_t + xp_t + b_ih), a_t = h_{t−1}·W_hhᵀ + b_hh; saved: y [1, L, N, H], every h. ———

function rnnThroughTime(g: T, ins: readonly T[], y: T, s: Steps): ThroughTime {
  const w = ins[1], [gh] = planes(g, 1), [hs] = planes(y, 1), dX: T[] = [];
  let dh: T | null = null; // ∂/∂h_t arriving from step t + 1
  for (const [t] of backwards(s)) {
    const h = select(hs, 0, t), dht = plus(select(gh, 0, t), dh);
    dX[t] = s.relu ? reluBackward(dht, h) : tanhBackward(dht, h); // act' from the output: 1 − h², or h > 0
    dh = mm(dX[t], w, false, false);
  }
  const dx = stack(dX);
  return { dX: dx, dA: dx, dh0: dh!, dc0: null };
}

// Applied only while nothing is recorded or carried (see rulesOf), so it never joins a graph and has no rules of
// its own.
const RNN_BACKWARD: OpDef<Steps & { initial: boolean }> = makeOp({
  name: 'rnnRecurrenceBackward',
  forward: (out, [g, y, ...ins], s) => rnnStepsBack(recurrence(ins, s), s.relu, y, g, out, s.initial),
  grads: [],
  batch: sequencesRule(() => RNN_BACKWARD, BACKWARD_N, 1),
});

// h_t = act(a): ∂h_t = act'·(∂x + ∂a).
function rnnTangent(ts: readonly (T | null)[], ins: readonly T[], y: T, s: Steps): T | null {
  const [hs] = planes(y, 1), th: (T | null)[] = [];
  for (const [t, p] of forwards(s)) {
    const h = select(hs, 0, t), hPrev = p < 0 ? ins[4] : select(hs, 0, p);
    const ta = total(preActivations(ts, ins, t, hPrev, p < 0 ? ts[4] : th[p]), h.shape);
    th[t] = through(ta, h, s.relu ? reluBackward : tanhBackward);
  }
  return packed([th], y);
}

const RNN_RECURRENCE: OpDef<Steps> = makeOp({
  name: 'rnnRecurrence',
  forward: (y, ins, s) => rnnSteps(recurrence(ins, s), s.relu, y),
  grads: rulesOf(5, { ops: rnnThroughTime, kernel: RNN_BACKWARD, rows: (L) => L }),
  tangent: rnnTangent,
  batch: sequencesRule(() => RNN_RECURRENCE, FORWARD_N, 2),
});

// ——— LSTM: saved y [7, L, N, H] = h, c, i, f, g, o (the gates after σ or tanh) and tanh(c). ———

function lstmThroughTime(grad: T, ins: readonly T[], y: T, s: Steps): ThroughTime {
  const w = ins[1], c0 = ins[5], dX: T[] = [];
  const [gh, gc, gi, gf, gg, go, gtc] = planes(grad, 7), [, cs, is, fs, gs, os, tcs] = planes(y, 7);
  let dh: T | null = null, dc: T | null = null; // ∂/∂h_t and ∂/∂c_t arriving from step t + 1
  for (const [t, p] of backwards(s)) {
    const at = (v: T): T => select(v, 0, t);
    const i = at(is), f = at(fs), g = at(gs), o = at(os), tc = at(tcs), cPrev = p < 0 ? c0 : select(cs, 0, p);
    const dht = plus(at(gh), dh);
    const dct: T = add(plus(at(gc), dc), tanhBackward(add(mul(dht, o), at(gtc)), tc)); // h = o·tanh(c), and tanh(c)
    dX[t] = cat([
      sigmoidBackward(add(mul(dct, g), at(gi)), i), // c = f·c_prev + i·g
      sigmoidBackward(add(mul(dct, cPrev), at(gf)), f),
      tanhBackward(add(mul(dct, i), at(gg)), g),
      sigmoidBackward(add(mul(dht, tc), at(go)), o),
    ], 1);
    dh = mm(dX[t], w, false, false);
    dc = mul(dct, f);
  }
  const dx = stack(dX);
  return { dX: dx, dA: dx, dh0: dh!, dc0: dc };
}

const LSTM_BACKWARD: OpDef<Steps & { initial: boolean }> = makeOp({
  name: 'lstmRecurrenceBackward',
  forward: (out, [g, y, ...ins], s) => lstmStepsBack(recurrence(ins, s), ins[5], y, g, out, s.initial),
  grads: [],
  batch: sequencesRule(() => LSTM_BACKWARD, BACKWARD_N, 1),
});

// The gates' tangents through σ' and tanh'; ∂c = ∂f·c_prev + f·∂c_prev + ∂i·g + i·∂g; ∂h = ∂o·tanh(c) + o·∂tanh(c).
function lstmTangent(ts: readonly (T | null)[], ins: readonly T[], y: T, s: Steps): T | null {
  const [hs, cs, is, fs, gs, os, tcs] = planes(y, 7), H = s.H, tp: (T | null)[][] = Array.from({ length: 7 }, () => []);
  for (const [t, p] of forwards(s)) {
    const at = (v: T): T => select(v, 0, t), i = at(is), f = at(fs), g = at(gs), o = at(os), tc = at(tcs);
    const hPrev = p < 0 ? ins[4] : select(hs, 0, p), cPrev = p < 0 ? ins[5] : select(cs, 0, p);
    const ta = total(preActivations(ts, ins, t, hPrev, p < 0 ? ts[4] : tp[0][p]), [s.N, 4 * H]);
    const gate = (q: number): T | null => ta && narrow(ta, 1, q * H, H);
    const di = through(gate(0), i, sigmoidBackward), df = through(gate(1), f, sigmoidBackward);
    const dg = through(gate(2), g, tanhBackward), dout = through(gate(3), o, sigmoidBackward);
    const dc = total([times(df, cPrev), times(p < 0 ? ts[5] : tp[1][p], f), times(di, g), times(dg, i)], i.shape);
    const dtc = through(dc, tc, tanhBackward);
    const dh = total([times(dout, tc), times(dtc, o)], i.shape);
    [dh, dc, di, df, dg, dout, dtc].forEach((d, k) => (tp[k][t] = d));
  }
  return packed(tp, y);
}

const LSTM_RECURRENCE: OpDef<Steps> = makeOp({
  name: 'lstmRecurrence',
  forward: (y, ins, s) => lstmSteps(recurrence(ins, s), ins[5], y),
  grads: rulesOf(6, { ops: lstmThroughTime, kernel: LSTM_BACKWARD, rows: (L) => L }),
  tangent: lstmTangent,
  batch: sequencesRule(() => LSTM_RECURRENCE, FORWARD_N, 2),
});

// ——— GRU: saved y [5, L, N, H] = h, r, z, n and a_n (n's hidden part, which r scales). ———

function gruThroughTime(grad: T, ins: readonly T[], y: T, s: Steps): ThroughTime {
  const [, w, , , h0] = ins, dX: T[] = [], dA: T[] = [];
  const [gh, gr, gz, gn, ga] = planes(grad, 5), [hs, rs, zs, ns, ans] = planes(y, 5);
  let dh: T | null = null; // ∂/∂h_t arriving from step t + 1
  for (const [t, p] of backwards(s)) {
    const at = (v: T): T => select(v, 0, t);
    const r = at(rs), z = at(zs), n = at(ns), an = at(ans), hPrev = p < 0 ? h0 : select(hs, 0, p);
    const dht = plus(at(gh), dh);
    const dxn = tanhBackward(add(sub(dht, mul(dht, z)), at(gn)), n); // h = (h_prev − n)·z + n
    const dan = add(mul(dxn, r), at(ga)); // n = tanh(x_n + r·a_n)
    const dxr = sigmoidBackward(add(mul(dxn, an), at(gr)), r);
    const dxz = sigmoidBackward(add(mul(dht, sub(hPrev, n)), at(gz)), z);
    dX[t] = cat([dxr, dxz, dxn], 1);
    dA[t] = cat([dxr, dxz, dan], 1);
    dh = add(mul(dht, z), mm(dA[t], w, false, false));
  }
  return { dX: stack(dX), dA: stack(dA), dh0: dh!, dc0: null };
}

const GRU_BACKWARD: OpDef<Steps & { initial: boolean }> = makeOp({
  name: 'gruRecurrenceBackward',
  forward: (out, [g, y, ...ins], s) => gruStepsBack(recurrence(ins, s), y, g, out, s.initial),
  grads: [],
  batch: sequencesRule(() => GRU_BACKWARD, BACKWARD_N, 1),
});

// ∂r, ∂z through σ'; ∂n = tanh'·(∂x_n + ∂r·a_n + r·∂a_n); ∂h = ∂h_prev·z + ∂n·(1 − z) + (h_prev − n)·∂z.
function gruTangent(ts: readonly (T | null)[], ins: readonly T[], y: T, s: Steps): T | null {
  const [hs, rs, zs, ns, ans] = planes(y, 5), H = s.H, tp: (T | null)[][] = Array.from({ length: 5 }, () => []);
  for (const [t, p] of forwards(s)) {
    const at = (v: T): T => select(v, 0, t), r = at(rs), z = at(zs), n = at(ns), an = at(ans);
    const hPrev = p < 0 ? ins[4] : select(hs, 0, p), thPrev = p < 0 ? ts[4] : tp[0][p];
    const [tx, ta] = preActivations(ts, ins, t, hPrev, thPrev);
    const part = (v: T | null, q: number): T | null => v && narrow(v, 1, q * H, H);
    const dr = through(total([part(tx, 0), part(ta, 0)], r.shape), r, sigmoidBackward);
    const dz = through(total([part(tx, 1), part(ta, 1)], r.shape), z, sigmoidBackward), dan = part(ta, 2);
    const dn = through(total([part(tx, 2), times(dr, an), times(dan, r)], r.shape), n, tanhBackward);
    const dh = total([times(thPrev, z), times(dn, sub(1, z)), times(dz, sub(hPrev, n))], r.shape);
    [dh, dr, dz, dn, dan].forEach((d, k) => (tp[k][t] = d));
  }
  return packed(tp, y);
}

const GRU_RECURRENCE: OpDef<Steps> = makeOp({
  name: 'gruRecurrence',
  forward: (y, ins, s) => gruSteps(recurrence(ins, s), y),
  grads: rulesOf(5, { ops: gruThroughTime, kernel: GRU_BACKWARD, rows: (L) => 2 * L }),
  tangent: gruTangent,
  batch: sequencesRule(() => GRU_RECURRENCE, FORWARD_N, 2),
});

/** The weights of one layer and direction, in PyTorch's layout (gates·H rows); a bias may be null. */
export interface LayerWeights { wIh: T; wHh: T; bIh: T | null; bHh: T | null }

/** What a layer returns: every step's h [L, N, H], the last step's h [N, H], and for an LSTM its c [N, H]. */
export interface LayerOutput<X extends T> { output: X; h: X; c: X | null }

/**
 * One layer and direction over x [L, N, in] from h0 (and c0) [N, H]: the input's part of every step in one
 * product, then the recurrence op. Shapes are the caller's to check (the nn modules do, naming themselves).
 */
export function recurrentLayer<X extends T>(kind: 'rnnTanh' | 'rnnRelu' | 'lstm' | 'gru', x: X, p: LayerWeights, h0: T, c0: T | null, reverse: boolean): LayerOutput<X> {
  const [L, N] = x.shape, H = p.wHh.shape[1], G = p.wHh.shape[0];
  const xp = projection(x, p.wIh, null);
  const zero = (b: T | null): T => b ?? x.make([G], G); // a layer without biases adds zeros
  const ins = [xp, p.wHh, zero(p.bIh), zero(p.bHh), h0];
  const s: Steps = { L, N, H, reverse, relu: kind === 'rnnRelu' };
  const y = kind === 'lstm' ? apply(LSTM_RECURRENCE, x, [...ins, c0!], [7, L, N, H], s)
    : kind === 'gru' ? apply(GRU_RECURRENCE, x, ins, [5, L, N, H], s)
    : apply(RNN_RECURRENCE, x, ins, [1, L, N, H], s);
  const last = reverse ? 0 : L - 1; // the step walked last
  return { output: select(y, 0, 0), h: slice(y, [0, last]), c: kind === 'lstm' ? slice(y, [1, last]) : null };
}
