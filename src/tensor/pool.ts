// Pooling loops over the last two dims of an array of `planes` planes of H × W values (a 1-D signal: H = 1).
// Each output row reads some input rows, and each output column some input columns: the taps of its window that
// fall inside the input. So a window is the product of a row range and a column range, and a pool needs the taps
// of each output index along each axis (windowTaps for a kernel sliding with stride, padding and dilation;
// adaptiveTaps for adaptive pooling).
import { endInside, firstInside } from './im2col.ts';

/** Where each output index i along one axis reads: n[i] input indices from at[i], `step` apart (all inside the input). */
export interface Taps {
  readonly at: Int32Array;
  readonly n: Int32Array;
  readonly step: number;
}

/** The taps of a kernel of `k` taps `dilation` apart, sliding by `stride` over `size` values padded by `pad` before. */
export function windowTaps(size: number, out: number, k: number, stride: number, pad: number, dilation: number): Taps {
  const at = new Int32Array(out), n = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    const start = i * stride - pad, first = firstInside(start, dilation);
    at[i] = start + first * dilation;
    n[i] = Math.max(0, endInside(start, dilation, size, k) - first);
  }
  return { at, n, step: dilation };
}

/** The taps of adaptive pooling from `size` values to `out`: output i reads [⌊i·size/out⌋, ⌈(i + 1)·size/out⌉). */
export function adaptiveTaps(size: number, out: number): Taps {
  const at = new Int32Array(out), n = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    at[i] = Math.floor((i * size) / out);
    n[i] = Math.ceil(((i + 1) * size) / out) - at[i];
  }
  return { at, n, step: 1 };
}

/**
 * out[o] = the largest value of output o's window (`positions` false), or its position in x, from xo (true): the
 * first one on ties; the first NaN if there is one (as the max of a reduction). Every window must hold a tap.
 */
export function windowMax(planes: number, H: number, W: number, rows: Taps, cols: Taps, x: Float64Array, xo: number,
  out: Float64Array, oo: number, positions: boolean): void {
  const OH = rows.at.length, OW = cols.at.length, dr = rows.step * W, dc = cols.step;
  for (let p = 0, o = oo; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = plane + rows.at[oh] * W, nr = rows.n[oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const c0 = r0 + cols.at[ow], nc = cols.n[ow];
        let best = x[xo + c0], at = c0;
        if (best === best) {
          window: for (let i = 0, r = xo + c0; i < nr; i++, r += dr) {
            for (let j = 0, q = r; j < nc; j++, q += dc) {
              const v = x[q];
              if (v > best) { best = v; at = q - xo; } else if (v !== v) { best = v; at = q - xo; break window; }
            }
          }
        }
        out[o] = positions ? at : best;
      }
    }
  }
}

/**
 * y[o] = the sum of output o's window divided by rowDiv[oh]·colDiv[ow]: an average pool (the divisors say which
 * taps count: those inside the input, or the padding too).
 */
export function windowMeans(planes: number, H: number, W: number, rows: Taps, cols: Taps, rowDiv: Float64Array, colDiv: Float64Array,
  x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const OH = rows.at.length, OW = cols.at.length, dr = rows.step * W, dc = cols.step;
  for (let p = 0, o = yo; p < planes; p++) {
    const plane = xo + p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = plane + rows.at[oh] * W, nr = rows.n[oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const nc = cols.n[ow];
        let s = 0;
        for (let i = 0, r = r0 + cols.at[ow]; i < nr; i++, r += dr) for (let j = 0, q = r; j < nc; j++, q += dc) s += x[q];
        y[o] = s / (rowDiv[oh] * colDiv[ow]);
      }
    }
  }
}

/** dx[t] += g[o] / (rowDiv[oh]·colDiv[ow]) for every tap t of output o's window: windowMeans' adjoint. */
export function spreadWindowMeans(planes: number, H: number, W: number, rows: Taps, cols: Taps, rowDiv: Float64Array, colDiv: Float64Array,
  g: Float64Array, go: number, dx: Float64Array, dxo: number): void {
  const OH = rows.at.length, OW = cols.at.length, dr = rows.step * W, dc = cols.step;
  for (let p = 0, o = go; p < planes; p++) {
    const plane = dxo + p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = plane + rows.at[oh] * W, nr = rows.n[oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const nc = cols.n[ow], v = g[o] / (rowDiv[oh] * colDiv[ow]);
        for (let i = 0, r = r0 + cols.at[ow]; i < nr; i++, r += dr) for (let j = 0, q = r; j < nc; j++, q += dc) dx[q] += v;
      }
    }
  }
}
