// Convolution by im2col + gemm, one sample at a time: the columns of a sample (C·KH·KW rows of OH·OW values) go
// to scratch buffers this module owns and reuses, so no batch of columns is ever made (a new buffer of a few MB
// per step costs more than its arithmetic, and one sample's columns stay in cache between the copy and the
// product). Weight [OC, C/G, KH, KW] is G blocks [OC/G, C/G·KH·KW]; block g multiplies rows g·C/G·KH·KW… of the
// columns: each group by its own filters.
//
// With stride 1 the columns are read "wide": window (oh, ow) is column oh·Wp + ow of a row as long as the padded
// input's (Wp wide), so the row of tap (c, kh, kw) is one run of the padded plane from c·Hp·Wp + kh·DH·Wp + kw·DW,
// a memcpy, instead of OH runs of OW values. The Wp − OW columns between the rows of windows are computed too and
// dropped (their gradient is 0): a few more multiply-adds for a copy an order of magnitude faster.
import { gemm } from './gemm.ts';
import { col2im, im2col, type Windows } from './im2col.ts';

const scratch = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];

/** Scratch buffer k, at least n values long; zeroed first when `clear`. */
function buffer(k: number, n: number, clear: boolean): Float64Array {
  if (scratch[k].length < n) scratch[k] = new Float64Array(n);
  else if (clear) scratch[k].fill(0, 0, n);
  return scratch[k];
}
const COLS = 0, WIDE = 1, PADDED = 2;

/** Whether every tap of every window falls inside the input, so that im2col writes every column entry. */
const inside = (w: Windows): boolean => w.PH === 0 && w.PW === 0 &&
  (w.OH - 1) * w.SH + (w.KH - 1) * w.DH < w.H && (w.OW - 1) * w.SW + (w.KW - 1) * w.DW < w.W;

/** The sizes of one sample: its windows, L = OH·OW, K = rows of the columns per group, the planes of x and y. */
function sizes(w: Windows, groups: number, OC: number) {
  const L = w.OH * w.OW, K = (w.C / groups) * w.KH * w.KW;
  return { one: { ...w, N: 1 }, L, K, rows: w.C * w.KH * w.KW, OCg: OC / groups, xs: w.C * w.H * w.W, ys: OC * L };
}

/** Reads wide columns (see above): stride 1. Hp × Wp is the padded plane, Lw the length of a wide row. */
function wideOf(w: Windows): { Hp: number; Wp: number; Lw: number } | null {
  if (w.SH !== 1 || w.SW !== 1) return null;
  const Hp = w.OH + (w.KH - 1) * w.DH, Wp = w.OW + (w.KW - 1) * w.DW;
  return { Hp, Wp, Lw: (w.OH - 1) * Wp + w.OW };
}

/** The wide columns of sample x[xo…] (copied into a zero-padded plane first when the windows reach the padding). */
function wideColumns(w: Windows, Hp: number, Wp: number, Lw: number, x: Float64Array, xo: number): Float64Array {
  let plane = x, po = xo;
  if (!inside(w)) {
    plane = buffer(PADDED, w.C * Hp * Wp, true);
    po = 0;
    for (let c = 0; c < w.C; c++) {
      for (let h = 0, from = xo + c * w.H * w.W; h < w.H; h++, from += w.W) plane.set(x.subarray(from, from + w.W), (c * Hp + h + w.PH) * Wp + w.PW);
    }
  }
  const cols = buffer(COLS, w.C * w.KH * w.KW * Lw, false);
  for (let c = 0, r = 0; c < w.C; c++) {
    for (let kh = 0; kh < w.KH; kh++) {
      for (let kw = 0; kw < w.KW; kw++, r += Lw) {
        const from = po + c * Hp * Wp + kh * w.DH * Wp + kw * w.DW;
        cols.set(plane.subarray(from, from + Lw), r);
      }
    }
  }
  return cols;
}

/** y[n, o] = bias[o] + W_g·im2col(x[n]) for each sample n and group g (the output channels o of group g). */
export function convForward(w: Windows, groups: number, OC: number, x: Float64Array, xo: number, wt: Float64Array, wo: number,
  bias: Float64Array | null, bo: number, y: Float64Array, yo: number): void {
  const { one, L, K, rows, OCg, xs, ys } = sizes(w, groups, OC), wide = wideOf(w), clear = !inside(w);
  for (let n = 0; n < w.N; n++) {
    const yn = yo + n * ys;
    if (wide === null) {
      const cols = buffer(COLS, rows * L, clear);
      im2col(one, x, xo + n * xs, cols, 0);
      if (bias !== null) for (let o = 0; o < OC; o++) for (let l = 0, b = bias[bo + o], at = yn + o * L; l < L; l++) y[at + l] = b;
      for (let g = 0; g < groups; g++) gemm(OCg, L, K, wt, wo + g * OCg * K, K, 1, cols, g * K * L, L, 1, y, yn + g * OCg * L);
      continue;
    }
    const { Hp, Wp, Lw } = wide, cols = wideColumns(w, Hp, Wp, Lw, x, xo + n * xs), out = buffer(WIDE, OC * Lw, false);
    for (let o = 0; o < OC; o++) out.fill(bias === null ? 0 : bias[bo + o], o * Lw, (o + 1) * Lw);
    for (let g = 0; g < groups; g++) gemm(OCg, Lw, K, wt, wo + g * OCg * K, K, 1, cols, g * K * Lw, Lw, 1, out, g * OCg * Lw);
    for (let o = 0; o < OC; o++) { // keep the columns of real windows
      for (let oh = 0; oh < w.OH; oh++) for (let ow = 0, s = o * Lw + oh * Wp, d = yn + (o * w.OH + oh) * w.OW; ow < w.OW; ow++) y[d + ow] = out[s + ow];
    }
  }
}

/** dx[n] += col2im(W_gᵀ·dy[n, group g]): the gradient of the input, one sample at a time. */
export function convInputGrad(w: Windows, groups: number, OC: number, dy: Float64Array, dyo: number, wt: Float64Array, wo: number,
  dx: Float64Array, dxo: number): void {
  const { one, L, K, rows, OCg, xs, ys } = sizes(w, groups, OC);
  for (let n = 0; n < w.N; n++) {
    const cols = buffer(COLS, rows * L, true);
    for (let g = 0; g < groups; g++) gemm(K, L, OCg, wt, wo + g * OCg * K, 1, K, dy, dyo + n * ys + g * OCg * L, L, 1, cols, g * K * L);
    col2im(one, cols, 0, dx, dxo + n * xs);
  }
}

/** dW_g += dy[n, group g]·im2col(x[n])ᵀ summed over the samples: the gradient of the weight. */
export function convWeightGrad(w: Windows, groups: number, OC: number, x: Float64Array, xo: number, dy: Float64Array, dyo: number,
  dw: Float64Array, dwo: number): void {
  const { one, L, K, rows, OCg, xs, ys } = sizes(w, groups, OC), wide = wideOf(w), clear = !inside(w);
  for (let n = 0; n < w.N; n++) {
    const dn = dyo + n * ys;
    if (wide === null) {
      const cols = buffer(COLS, rows * L, clear);
      im2col(one, x, xo + n * xs, cols, 0);
      for (let g = 0; g < groups; g++) gemm(OCg, K, L, dy, dn + g * OCg * L, L, 1, cols, g * K * L, 1, L, dw, dwo + g * OCg * K);
      continue;
    }
    const { Hp, Wp, Lw } = wide, cols = wideColumns(w, Hp, Wp, Lw, x, xo + n * xs), g = buffer(WIDE, OC * Lw, true);
    for (let o = 0; o < OC; o++) { // dy in the wide layout, 0 at the columns between rows of windows
      for (let oh = 0; oh < w.OH; oh++) for (let ow = 0, s = dn + (o * w.OH + oh) * w.OW, d = o * Lw + oh * Wp; ow < w.OW; ow++) g[d + ow] = dy[s + ow];
    }
    for (let k = 0; k < groups; k++) gemm(OCg, K, Lw, g, k * OCg * Lw, Lw, 1, cols, k * K * Lw, 1, Lw, dw, dwo + k * OCg * K);
  }
}
