// Kernels over the channels of a tensor viewed as [N, C, S]: axis 1, with the batch before it and every other axis
// (a sequence, an image) merged into S after it, as batch norm normalises. Each walks memory in order, a run of S
// values of one channel at a time, so an [N, C] input (S = 1) is read as contiguously as an image. Per-channel
// results are added into `out`, which an op's forward receives zeroed.

/** Each channel's mean and biased variance Σ(x − mean)²/(N·S), in two passes (no cancellation), into out[c] and
 *  out[C + c]. */
export function channelMoments(N: number, C: number, S: number, x: Float64Array, xo: number, out: Float64Array, oo: number): void {
  const count = N * S, vo = oo + C;
  for (let n = 0, i = xo; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let k = 0; k < S; k++) sum += x[i++];
      out[oo + c] += sum;
    }
  }
  for (let c = 0; c < C; c++) out[oo + c] /= count;
  for (let n = 0, i = xo; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const mean = out[oo + c];
      let squares = 0;
      for (let k = 0; k < S; k++) {
        const d = x[i++] - mean;
        squares += d * d;
      }
      out[vo + c] += squares;
    }
  }
  for (let c = 0; c < C; c++) out[vo + c] /= count;
}

/** y = (x − m[c])·s[c] + t[c] in each channel c (t null: no shift). */
export function channelAffine(N: number, C: number, S: number, x: Float64Array, xo: number, m: Float64Array, mo: number,
  s: Float64Array, so: number, t: Float64Array | null, to: number, y: Float64Array, yo: number): void {
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const mc = m[mo + c], sc = s[so + c], tc = t === null ? 0 : t[to + c];
      for (let k = 0; k < S; k++, i++) y[yo + i] = (x[xo + i] - mc) * sc + tc;
    }
  }
}

/** out[c] = Σ g·(x − m[c]) over channel c of g and x (same shape). */
export function channelDot(N: number, C: number, S: number, g: Float64Array, go: number, x: Float64Array, xo: number,
  m: Float64Array, mo: number, out: Float64Array, oo: number): void {
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const mc = m[mo + c];
      let sum = 0;
      for (let k = 0; k < S; k++, i++) sum += g[go + i] * (x[xo + i] - mc);
      out[oo + c] += sum;
    }
  }
}
