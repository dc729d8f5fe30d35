// F13 on the XOR net: the exact Hessian of each loss with respect to all the weights (the engine's hessian(),
// a gradient differentiated again), and its smallest eigenvalue: negative means the loss is not convex there.
import { hessian, Tensor } from '../../src/index.ts';
import type { nn } from '../../src/index.ts';
import { lossOf, X, Y } from './train.ts';
import type { LossName } from './options.ts';

/** The loss as a function of the two weight matrices (syn0 [3, H], syn1 [H, 1]), for hessian(). */
const lossOfWeights = (loss: LossName) => (w0: Tensor, w1: Tensor): Tensor => lossOf(loss, X.matmul(w0).sigmoid().matmul(w1).sigmoid(), Y);

/** The full Hessian over every weight (syn0 then syn1, row-major), from hessian()'s blocks. */
export function weightHessian(net: nn.Sequential, loss: LossName): number[][] {
  const params = net.parameters().map((p) => p.detach());
  const blocks = hessian(lossOfWeights(loss), params);
  const sizes = params.map((p) => p.size), n = sizes[0] + sizes[1];
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  blocks.forEach((row, i) => row.forEach((b, j) => {
    const r0 = i === 0 ? 0 : sizes[0], c0 = j === 0 ? 0 : sizes[0], d = b.data;
    for (let p = 0; p < sizes[i]; p++) for (let q = 0; q < sizes[j]; q++) H[r0 + p][c0 + q] = d[p * sizes[j] + q];
  }));
  return H;
}

/** Eigenvalues of a symmetric matrix, ascending (cyclic Jacobi rotations). */
export function eigenvalues(S: number[][]): number[] {
  const A = S.map((r) => [...r]), n = A.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] * A[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // rotate columns p, q then rows p, q
          const akp = A[k][p], akq = A[k][q];
          A[k][p] = c * akp - s * akq; A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k], aqk = A[q][k];
          A[p][k] = c * apk - s * aqk; A[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return A.map((r, i) => r[i]).sort((a, b) => a - b);
}
