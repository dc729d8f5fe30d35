// The recurrences of the recurrent layers (RNN, LSTM, GRU), forward and back through time: over all steps of one
// layer and direction, each step one product with W_hh (packed into the gemm module once for all the steps) and
// the gate arithmetic: the LSTM's whole in the activations module (WebAssembly SIMD; its forward kernel 23% faster
// than loops here around the module's σ and tanh), the GRU's and RNN's in plain loops around them (σ and tanh
// within 2 and 4 ulp of Math's: the bench's LSTM step was ~20% faster). The input's part of every step, x·W_ihᵀ,
// comes in already computed for the whole sequence (one product). The forward arithmetic is PyTorch's, in its order
// (aten/src/ATen/native/RNN.cpp): gates = (h·W_hhᵀ + b_hh) + (x·W_ihᵀ + b_ih).
import { packedProduct } from './gemm.ts';
import { copyRun } from './kernels.ts';
import { lanes, lstmStepBackLanes, lstmStepLanes, reserveLanes, sigmoidLanes, tanhLanes } from './activations-simd.ts';

/** Values from `off` in `buf` (a tensor's storage; src/tensor knows nothing of tensors). */
export interface Run { readonly buf: Float64Array; readonly off: number }

/**
 * The sizes of a recurrence, L steps of a batch of N with hidden size H, walked from the last step to the first
 * when reverse; and its operands: xp [L, N, G] = x·W_ihᵀ for G = gates·H, W_hh [G, H], the biases b_ih and b_hh
 * [G] (zeros for a layer without them), h0 [N, H].
 */
export interface Recurrence { L: number; N: number; H: number; reverse: boolean; xp: Run; w: Run; bIh: Run; bHh: Run; h0: Run }

/**
 * a[N, G] = b_hh + h_prev·W_hhᵀ, the hidden state's part of step t's gates (as PyTorch's linear_hh, the bias the
 * product's starting value, as in addmm), h_prev being h0 at the first step walked and otherwise the h that step
 * t − 1 (t + 1 reversed) wrote into y. Returns where h_prev is, for the caller's own use of it.
 */
function hiddenPart(r: Recurrence, G: number, t: number, first: boolean, y: Run, a: Float64Array, times: Product): [Float64Array, number] {
  const { N, H } = r, b = r.bHh.buf, bo = r.bHh.off;
  const hp = first ? r.h0.buf : y.buf, hpo = first ? r.h0.off : y.off + (r.reverse ? t + 1 : t - 1) * N * H;
  for (let j = 0; j < G; j++) a[j] = b[bo + j];
  for (let n = 1; n < N; n++) a.copyWithin(n * G, 0, G);
  times(N, hp, hpo, H, 1, a, 0);
  return [hp, hpo];
}

type Product = ReturnType<typeof packedProduct>;
/** X·W_hhᵀ for the steps' X [N, H] (a recurrence's one B, packed once for all its steps). */
const byWT = (r: Recurrence, G: number): Product => packedProduct(G, r.H, r.w.buf, r.w.off, 1, r.H);
/** D·W_hh for the steps' D [N, G]. */
const byW = (r: Recurrence, G: number): Product => packedProduct(r.H, G, r.w.buf, r.w.off, r.H, 1);

/**
 * A step's S values, taken in blocks through the activations module: `parts` runs of at most `size` values each
 * (a block's gates), part p from lane p·stride, each at an even lane (the kernels map lanes in pairs, so an odd
 * run maps the lane after it too).
 */
function blocks(parts: number, S: number): { size: number; stride: number } {
  const most = 2 * Math.floor(lanes.length / (2 * parts)), size = Math.min(S, most);
  return { size, stride: size + (size & 1) };
}

/**
 * lanes[at + e] = the pre-activation of gate k (its part of a, plus xp's and b_ih's) for element e0 + e of a step,
 * e < m, in a step of N × H elements whose gates are G = gates·H columns of a and of xp (from xo).
 */
function gateInto(at: number, k: number, a: Float64Array, x: Float64Array, xo: number, b: Float64Array, bo: number,
  H: number, G: number, e0: number, m: number): void {
  // a row's run at a time (the block may start and end inside a row): plain unit-stride loops
  for (let e = e0, end = e0 + m; e < end;) {
    const n = (e / H) | 0, j0 = e - n * H, j1 = Math.min(H, j0 + end - e), q = n * G + k * H, l = at + e - e0 - j0;
    for (let j = j0; j < j1; j++) lanes[l + j] = a[q + j] + (x[xo + q + j] + b[bo + k * H + j]);
    e += j1 - j0;
  }
}

/** An Elman RNN: h_t = act((h_{t−1}·W_hhᵀ + b_hh) + (xp_t + b_ih)), act tanh or ReLU. Writes y [L, N, H], every h. */
export function rnnSteps(r: Recurrence, relu: boolean, y: Run): void {
  const times = byWT(r, r.H);
  const { L, N, H, xp, bIh } = r, S = N * H, a = new Float64Array(S), x = xp.buf, b = bIh.buf, bo = bIh.off, yb = y.buf;
  const { size } = blocks(1, S);
  for (let k = 0; k < L; k++) {
    const t = r.reverse ? L - 1 - k : k;
    hiddenPart(r, H, t, k === 0, y, a, times);
    const xo = xp.off + t * S, yo = y.off + t * S;
    if (relu) {
      for (let at = 0, j = 0; at < S; at++) {
        const v = a[at] + (x[xo + at] + b[bo + j]);
        yb[yo + at] = v <= 0 ? 0 : v; // NaN stays NaN, as relu
        if (++j === H) j = 0;
      }
      continue;
    }
    for (let e0 = 0; e0 < S; e0 += size) {
      const m = Math.min(size, S - e0);
      for (let e = 0, j = e0 % H; e < m; e++) {
        lanes[e] = a[e0 + e] + (x[xo + e0 + e] + b[bo + j]);
        if (++j === H) j = 0;
      }
      tanhLanes(0, m);
      yb.set(lanes.subarray(0, m), yo + e0);
    }
  }
}

/** n lanes and a spare one after them, rounded up to an even count (each region of the lanes starts at an even
 *  lane and has a lane free after it: the module maps lanes in pairs). */
const even = (n: number): number => n + 2 - (n & 1);

/** How many of N rows a block of the lanes holds, a row taking `perRow` lanes and the block `fixed` more (≥ 1: the
 *  caller reserved one row's worth). */
const rowsOf = (N: number, perRow: number, fixed: number): number =>
  Math.min(N, Math.max(1, Math.floor((lanes.length - fixed) / perRow)));

/**
 * An LSTM: gates [i, f, g, o] = (h·W_hhᵀ + b_hh) + (xp_t + b_ih), i, f and o through σ, g through tanh;
 * c_t = f·c_{t−1} + i·g and h_t = o·tanh(c_t), from c0 [N, H]. Writes y [7, L, N, H]: h, c, i, f, g, o and
 * tanh(c) at every step (what the backward reads). After each step's product (a, [N, 4H]), the step runs in the
 * activations module by blocks of rows: a, the step's xp and c_prev copied in, the planes copied out.
 */
export function lstmSteps(r: Recurrence, c0: Run, y: Run): void {
  const times = byWT(r, 4 * r.H);
  const { L, N, H, xp, bIh } = r, G = 4 * H, S = N * H, a = new Float64Array(N * G), plane = L * S, yb = y.buf;
  // Regions of the lanes: a and x [R, G], b [G], then the eight planes [R, H] (i, f, g, o, c_prev, c, tanh c, h),
  // R rows a block; at most 16·R·H + 4H + 22 lanes.
  reserveLanes(20 * H + 22);
  const R = rowsOf(N, 16 * H, 4 * H + 22);
  const A = 0, X = even(R * G), B = 2 * X, P = B + even(G), Z = even(R * H);
  copyRun(G, bIh.buf, bIh.off, lanes, B);
  const out = [[7, 0], [5, 1], [0, 2], [1, 3], [2, 4], [3, 5], [6, 6]]; // plane of the lanes, plane of y
  for (let k = 0; k < L; k++) {
    const t = r.reverse ? L - 1 - k : k;
    hiddenPart(r, G, t, k === 0, y, a, times);
    const cp = k === 0 ? c0.buf : yb, cpo = k === 0 ? c0.off : y.off + plane + (r.reverse ? t + 1 : t - 1) * S;
    for (let n0 = 0; n0 < N; n0 += R) {
      const rows = Math.min(R, N - n0), m = rows * H, at = y.off + t * S + n0 * H;
      copyRun(rows * G, a, n0 * G, lanes, A);
      copyRun(rows * G, xp.buf, xp.off + t * N * G + n0 * G, lanes, X);
      copyRun(m, cp, cpo + n0 * H, lanes, P + 4 * Z);
      lstmStepLanes(rows, H, A, X, B, P, Z);
      for (const [from, to] of out) copyRun(m, lanes, P + from * Z, yb, at + to * plane);
    }
  }
}

/**
 * A GRU: with a = h·W_hhᵀ + b_hh and x = xp_t + b_ih, each in parts [r, z, n]: r = σ(x_r + a_r),
 * z = σ(x_z + a_z), n = tanh(x_n + r·a_n) and h_t = (h_{t−1} − n)·z + n. Writes y [5, L, N, H]: h, r, z, n and
 * a_n at every step (what the backward reads).
 */
export function gruSteps(r: Recurrence, y: Run): void {
  const times = byWT(r, 3 * r.H);
  const { L, N, H, xp, bIh } = r, G = 3 * H, S = N * H, a = new Float64Array(N * G), plane = L * S;
  const x = xp.buf, b = bIh.buf, bo = bIh.off, yb = y.buf, { size: B, stride: P } = blocks(3, S);
  const R = 0, Z = P, C = 2 * P; // where each part of a block is in the lanes: r, z and n's pre-activation, then n
  for (let k = 0; k < L; k++) {
    const t = r.reverse ? L - 1 - k : k;
    const [hp, hpo] = hiddenPart(r, G, t, k === 0, y, a, times);
    const xo = xp.off + t * N * G, yo = y.off + t * S;
    for (let e0 = 0; e0 < S; e0 += B) {
      const m = Math.min(B, S - e0);
      gateInto(R, 0, a, x, xo, b, bo, H, G, e0, m);
      gateInto(Z, 1, a, x, xo, b, bo, H, G, e0, m);
      sigmoidLanes(R, m); sigmoidLanes(Z, m);
      for (let e = 0, n = (e0 / H) | 0, j = e0 - n * H; e < m; e++) {
        const q = n * G + j, an = a[q + 2 * H];
        lanes[C + e] = (x[xo + q + 2 * H] + b[bo + 2 * H + j]) + an * lanes[R + e];
        yb[yo + e0 + e + 4 * plane] = an;
        if (++j === H) { j = 0; n++; }
      }
      tanhLanes(C, m);
      for (let e = 0; e < m; e++) {
        const at = yo + e0 + e, reset = lanes[R + e], update = lanes[Z + e], candidate = lanes[C + e];
        yb[at] = (hp[hpo + e0 + e] - candidate) * update + candidate;
        yb[at + plane] = reset;
        yb[at + 2 * plane] = update;
        yb[at + 3 * plane] = candidate;
      }
    }
  }
}

// ——— Backward: backpropagation through time, for a walk that records nothing (src/autograd/ops/recurrent.ts
// writes the same sums in tensor ops, for one that does). g is the gradient arriving at y, laid out as y. Each
// writes, per step, dX_t = ∂/∂(xp_t + b_ih) [N, G] into out[t]; and when `initial`, ∂/∂h0 (and ∂/∂c0) into the
// row after those, [dh0 | dc0 | …] along G. The arithmetic is the tensor ops' own, in their order
// (sigmoidBackward g·(y·(1 − y)), tanhBackward g·(1 − y·y), reluBackward g where y > 0), so both ways give the same values. ———

/** dh_prev += dA_t·W_hh for dA_t [N, G] at `ao` in `a` (the hidden part's gradient), W_hh [G, H], by `times`. */
function intoPrevious(r: Recurrence, G: number, a: Float64Array, ao: number, dh: Float64Array, times: Product): void {
  times(r.N, a, ao, G, 1, dh, 0);
}

/** States [N, H] written as the first columns of row `row` of out [·, N, G], at column `col`. */
function initialState(out: Run, row: number, G: number, col: number, N: number, H: number, v: Float64Array): void {
  const o = out.buf, at = out.off + row * N * G + col;
  for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) o[at + n * G + j] = v[n * H + j];
}

/** The RNN's: dX_t = dh_t·act′, dh_{t−1} = dX_t·W_hh. out [L (+ 1), N, H]. */
export function rnnStepsBack(r: Recurrence, relu: boolean, y: Run, g: Run, out: Run, initial: boolean): void {
  const times = byW(r, r.H);
  const { L, N, H } = r, S = N * H, dh = new Float64Array(S), yb = y.buf, gb = g.buf, o = out.buf;
  for (let k = L - 1; k >= 0; k--) {
    const t = r.reverse ? L - 1 - k : k, yo = y.off + t * S, go = g.off + t * S, oo = out.off + t * S;
    for (let i = 0; i < S; i++) {
      const h = yb[yo + i], d = gb[go + i] + dh[i];
      o[oo + i] = relu ? (h <= 0 ? 0 : d) : d * (1 - h * h);
    }
    if (k === 0 && !initial) break;
    dh.fill(0);
    intoPrevious(r, H, o, oo, dh, times);
  }
  if (initial) initialState(out, L, H, 0, N, H, dh);
}

/**
 * The LSTM's, from y = [h, c, i, f, g, o, tanh c] and c0. out [L (+ 1), N, 4H]. Each step runs in the activations
 * module (lstmStepBack) by blocks of rows: the forward's planes, the gradients arriving and dh, dc copied in,
 * the gates' gradients and dc copied out; then dh = dX_t·W_hh.
 */
export function lstmStepsBack(r: Recurrence, c0: Run, y: Run, g: Run, out: Run, initial: boolean): void {
  const times = byW(r, 4 * r.H);
  const { L, N, H } = r, G = 4 * H, S = N * H, P = L * S, yb = y.buf, gb = g.buf, o = out.buf;
  const dh = new Float64Array(S), dc = new Float64Array(S);
  // Regions of the lanes: twenty planes [R, H] (i, f, g, o, tanh c, c_prev; the gradients at h, c, i, f, g, o,
  // tanh c; dh, dc; the four gates' gradients, dc out), then the gates' gradients [R, 4H], R rows a block; at
  // most 24·R·H + 42 lanes.
  reserveLanes(24 * H + 42);
  const R = rowsOf(N, 24 * H, 42);
  const Z = even(R * H), D = 20 * Z;
  for (let k = L - 1; k >= 0; k--) {
    const t = r.reverse ? L - 1 - k : k, first = k === 0;
    const yo = y.off + t * S, go = g.off + t * S, oo = out.off + t * N * G;
    const cp = first ? c0.buf : yb, cpo = first ? c0.off : y.off + P + (r.reverse ? t + 1 : t - 1) * S;
    for (let n0 = 0; n0 < N; n0 += R) {
      const rows = Math.min(R, N - n0), m = rows * H, e = n0 * H;
      for (let q = 0; q < 5; q++) copyRun(m, yb, yo + (2 + q) * P + e, lanes, q * Z); // i, f, g, o, tanh c
      copyRun(m, cp, cpo + e, lanes, 5 * Z);
      for (let q = 0; q < 7; q++) copyRun(m, gb, go + q * P + e, lanes, (6 + q) * Z);
      copyRun(m, dh, e, lanes, 13 * Z);
      copyRun(m, dc, e, lanes, 14 * Z);
      lstmStepBackLanes(rows, H, 0, Z, D);
      copyRun(rows * G, lanes, D, o, oo + n0 * G);
      copyRun(m, lanes, 19 * Z, dc, e);
    }
    if (first && !initial) break;
    dh.fill(0);
    intoPrevious(r, G, o, oo, dh, times);
  }
  if (initial) {
    initialState(out, L, G, 0, N, H, dh);
    initialState(out, L, G, H, N, H, dc);
  }
}

/**
 * The GRU's, from y = [h, r, z, n, a_n]: dX_t into out[t] and the hidden part's gradient dA_t (which differs in
 * n's third: ∂/∂a_n = ∂/∂(x_n)·r) into out[L + t]. out [2L (+ 1), N, 3H].
 */
export function gruStepsBack(r: Recurrence, y: Run, g: Run, out: Run, initial: boolean): void {
  const times = byW(r, 3 * r.H);
  const { L, N, H } = r, G = 3 * H, S = N * H, P = L * S, yb = y.buf, gb = g.buf, o = out.buf;
  const dh = new Float64Array(S), viaW = new Float64Array(S), h0 = r.h0;
  for (let k = L - 1; k >= 0; k--) {
    const t = r.reverse ? L - 1 - k : k, first = k === 0;
    const yo = y.off + t * S, go = g.off + t * S, xo = out.off + t * N * G, ao = out.off + (L + t) * N * G;
    const hp = first ? h0.buf : yb, hpo = first ? h0.off : y.off + (r.reverse ? t + 1 : t - 1) * S;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const at = n * H + j, q = n * G + j;
        const reset = yb[yo + P + at], update = yb[yo + 2 * P + at], cand = yb[yo + 3 * P + at], an = yb[yo + 4 * P + at];
        const dht = gb[go + at] + dh[at];
        const dxn = ((dht - dht * update) + gb[go + 3 * P + at]) * (1 - cand * cand); // h = (h_prev − n)·z + n
        const dxr = (dxn * an + gb[go + P + at]) * (reset * (1 - reset)); // n = tanh(x_n + r·a_n)
        const dxz = (dht * (hp[hpo + at] - cand) + gb[go + 2 * P + at]) * (update * (1 - update));
        o[xo + q] = o[ao + q] = dxr;
        o[xo + q + H] = o[ao + q + H] = dxz;
        o[xo + q + 2 * H] = dxn;
        o[ao + q + 2 * H] = dxn * reset + gb[go + 4 * P + at];
        dh[at] = dht * update;
      }
    }
    if (first && !initial) break;
    viaW.fill(0);
    intoPrevious(r, G, o, ao, viaW, times);
    for (let i = 0; i < S; i++) dh[i] += viaW[i]; // dh_prev = dh·z + dA·W_hh
  }
  if (initial) initialState(out, 2 * L, G, 0, N, H, dh);
}
