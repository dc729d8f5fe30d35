// im2col and col2im: the loops that turn a convolution into a matrix product. im2col lays each window of an
// [N, C, H, W] array out as a column of an [N, C·KH·KW, OH·OW] array (PyTorch's unfold); col2im adds the columns
// back onto the windows they came from (fold). Each is the other's adjoint. A 1-D signal is the case H = 1.

/** A kernel of KH × KW taps sliding over the last two dims of an [N, C, H, W] array, to OH × OW places. */
export interface Windows {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly KH: number; readonly KW: number;
  /** Strides. */
  readonly SH: number; readonly SW: number;
  /** Padding before the first row and column (any padding after them only shows in OH and OW). */
  readonly PH: number; readonly PW: number;
  /** Dilations: the distance between taps. */
  readonly DH: number; readonly DW: number;
  /** The number of window positions down and across. */
  readonly OH: number; readonly OW: number;
}

/** The first i ≥ 0 at which `shift + i·step` is inside [0, …). */
export const firstInside = (shift: number, step: number): number => Math.max(0, Math.ceil(-shift / step));
/** One past the last i < count at which `shift + i·step` is inside [0, size). */
export const endInside = (shift: number, step: number, size: number, count: number): number => Math.min(count, Math.ceil((size - shift) / step));

/**
 * cols[n, (c·KH + kh)·KW + kw, oh·OW + ow] = x[n, c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], the taps that fall
 * in the padding left as they are: `cols` must hold zeros.
 */
export function im2col(w: Windows, x: Float64Array, xo: number, cols: Float64Array, co: number): void {
  const { KH, KW, SH, SW, DH, DW, H, W, OH, OW } = w, L = OH * OW;
  for (let p = 0, row = co; p < w.N * w.C; p++) {
    const plane = xo + p * H * W;
    for (let kh = 0; kh < KH; kh++) {
      const top = kh * DH - w.PH, oh0 = firstInside(top, SH), oh1 = endInside(top, SH, H, OH);
      for (let kw = 0; kw < KW; kw++, row += L) {
        const left = kw * DW - w.PW, ow0 = firstInside(left, SW), ow1 = endInside(left, SW, W, OW);
        for (let oh = oh0; oh < oh1; oh++) {
          const src = plane + (oh * SH + top) * W + left, dst = row + oh * OW;
          if (SW === 1) for (let ow = ow0; ow < ow1; ow++) cols[dst + ow] = x[src + ow];
          else for (let ow = ow0; ow < ow1; ow++) cols[dst + ow] = x[src + ow * SW];
        }
      }
    }
  }
}

/** x[n, c, ih, iw] += every entry of `cols` that im2col would read from there (its adjoint, a scatter-add). */
export function col2im(w: Windows, cols: Float64Array, co: number, x: Float64Array, xo: number): void {
  const { KH, KW, SH, SW, DH, DW, H, W, OH, OW } = w, L = OH * OW;
  for (let p = 0, row = co; p < w.N * w.C; p++) {
    const plane = xo + p * H * W;
    for (let kh = 0; kh < KH; kh++) {
      const top = kh * DH - w.PH, oh0 = firstInside(top, SH), oh1 = endInside(top, SH, H, OH);
      for (let kw = 0; kw < KW; kw++, row += L) {
        const left = kw * DW - w.PW, ow0 = firstInside(left, SW), ow1 = endInside(left, SW, W, OW);
        for (let oh = oh0; oh < oh1; oh++) {
          const dst = plane + (oh * SH + top) * W + left, src = row + oh * OW;
          if (SW === 1) for (let ow = ow0; ow < ow1; ow++) x[dst + ow] += cols[src + ow];
          else for (let ow = ow0; ow < ow1; ow++) x[dst + ow * SW] += cols[src + ow];
        }
      }
    }
  }
}
