// jacobian (reverse mode) and vjp, as torch.autograd.functional.jacobian and torch.func.vjp: shapes, values against
// hand-written Jacobians and finite differences, and vjp against vᵀ·J.
import { describe, expect, it } from 'vitest';
import { jacobian, tensor, Tensor, vjp } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

/** The Jacobian by central differences, [...out, ...x], for a function of one input. */
function numericJacobian(f: (x: Tensor) => Tensor, x: Tensor, h = 1e-6): number[] {
  const x0 = Float64Array.from(x.data), n = f(x).size, J = new Array<number>(n * x.size).fill(0);
  for (let j = 0; j < x.size; j++) {
    const at = (d: number): Float64Array => { const v = Float64Array.from(x0); v[j] += d; return Float64Array.from(f(Tensor.from(v, [...x.shape])).data); };
    const up = at(h), down = at(-h);
    for (let i = 0; i < n; i++) J[i * x.size + j] = (up[i] - down[i]) / (2 * h);
  }
  return J;
}

describe('jacobian', () => {
  it('of W·x + sin(x) is W + diag(cos x), shape [out, in]', () => {
    const W = tensor([[1, 2, 3], [4, 5, 6]]), x = tensor([0.3, -1.2, 2]);
    const J = jacobian((v) => W.matmul(v.unsqueeze(1)).squeeze(1).add(v.slice([0, 2]).sin()), x);
    expect(J.shape).toEqual([2, 3]);
    const c = Array.from(x.data, Math.cos);
    expectClose(J, [1 + c[0]!, 2, 3, 4, 5 + c[1]!, 6], { rtol: 1e-15 });
  });

  it('of a broadcast product, one block per input: ∂(a·b)/∂a = diag(b), ∂(a·b)/∂b sums over the broadcast rows', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]), b = tensor([7, 8, 9]);
    const [Ja, Jb] = jacobian((p, q) => p.mul(q), [a, b]);
    expect(Ja!.shape).toEqual([2, 3, 2, 3]);
    expect(Jb!.shape).toEqual([2, 3, 3]);
    const want = new Array<number>(36).fill(0);
    for (let k = 0; k < 6; k++) want[k * 6 + k] = [7, 8, 9][k % 3]!;
    expect(Array.from(Ja!.data)).toEqual(want);
    const wb = new Array<number>(18).fill(0);
    for (let k = 0; k < 6; k++) wb[k * 3 + (k % 3)] = [1, 2, 3, 4, 5, 6][k]!;
    expect(Array.from(Jb!.data)).toEqual(wb);
  });

  it('of softmax agrees with central differences', () => {
    const x = tensor([[0.2, -1, 0.5], [1.5, 0.1, -0.3]]);
    const f = (v: Tensor): Tensor => v.softmax(1).mul(v.exp()).sum(0);
    expectClose(jacobian(f, x), numericJacobian(f, x), { rtol: 1e-7, atol: 1e-9 });
  });

  it('is zero for an input fn does not use, and refuses bad arguments', () => {
    const [Ja, Jb] = jacobian((p) => p.mul(2), [tensor([1, 2]), tensor([3])]);
    expect(Array.from(Ja!.data)).toEqual([2, 0, 0, 2]);
    expect(Array.from(Jb!.data)).toEqual([0, 0]);
    expect(() => jacobian(3 as never, tensor([1]))).toThrow(/jacobian: fn must be a function, got number 3/);
    expect(() => jacobian(() => 5 as never, tensor([1]))).toThrow(/jacobian: fn must return a tensor, got number 5/);
    expect(() => jacobian((v) => v, [1] as never)).toThrow(/jacobian: input 0 must be a tensor, got number 1/);
  });
});

describe('vjp', () => {
  it('returns the output and vᵀ·J for each input, equal to the Jacobian\'s contraction, for many v', () => {
    const a = tensor([[1, -2], [0.5, 3]]), b = tensor([[0.3], [-0.7]]);
    const f = (p: Tensor, q: Tensor): Tensor => p.matmul(q).sigmoid();
    const [y, vjpFn] = vjp(f, [a, b]);
    expect(y.requiresGrad).toBe(false);
    expectClose(y, f(a, b), { rtol: 0 });
    const [Ja, Jb] = jacobian(f, [a, b]);
    for (const v of [tensor([[1], [0]]), tensor([[0.25], [-2]])]) {
      const [ga, gb] = vjpFn(v);
      const contract = (J: Tensor, n: number): number[] => Array.from({ length: n }, (_, j) => v.data[0]! * J.data[j]! + v.data[1]! * J.data[n + j]!);
      expectClose(ga!, contract(Ja!, 4), { rtol: 1e-12, atol: 1e-15 });
      expectClose(gb!, contract(Jb!, 2), { rtol: 1e-12, atol: 1e-15 });
    }
  });

  it('leaves the inputs alone and refuses a v of another shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [, vjpFn] = vjp((v) => v.square(), x);
    expect(Array.from(vjpFn(tensor([1, 1])).data)).toEqual([2, 4]);
    expect(x.grad).toBeNull();
    expect(() => vjpFn(tensor([1]))).toThrow(/vjp: v must be a tensor of the output's shape \[2\], got \[1\]/);
  });
});
