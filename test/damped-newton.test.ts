// optim.DampedNewton: the exact Hessian with Levenberg–Marquardt damping. Newton's step on a quadratic, the
// documents' XOR net in tens of steps where gradient descent takes hundreds, a local minimum it cannot leave, and
// bad input that leaves the parameters as they were.
import { describe, expect, it } from 'vitest';
import { noGrad, optim, tensor, Tensor } from '../src/index.ts';
import { buildNet, forward, lossOf, withinTenth, X, Y } from '../examples/xor/train.ts';
import { expectClose } from './expect-close.ts';

/** Steps until every prediction is within 0.1 of its target (null: not within maxSteps), and the optimizer. */
function xorNewton(loss: 'mse' | 'bce', hidden: number, seed: number, maxSteps: number): { steps: number | null; opt: optim.DampedNewton } {
  const net = buildNet(hidden, { kind: 'numpy', seed });
  const opt = new optim.DampedNewton(net.parameters());
  for (let step = 0; step < maxSteps; step++) {
    if (withinTenth(noGrad(() => forward(net, X).a).data)) return { steps: step, opt };
    opt.step(() => lossOf(loss, forward(net, X).a, Y));
  }
  return { steps: withinTenth(noGrad(() => forward(net, X).a).data) ? maxSteps : null, opt };
}

describe('optim.DampedNewton', () => {
  it('takes Newton\'s step on a quadratic: ½xᵀAx − bᵀx is minimised in one step, x = A⁻¹b', () => {
    const A = tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]]), b = tensor([1, 2, 3]);
    const x = tensor([5, -7, 2], { requiresGrad: true });
    const opt = new optim.DampedNewton([x], { damping: 1e-12 });
    const f = (): Tensor => x.unsqueeze(0).matmul(A).matmul(x.unsqueeze(1)).reshape([]).mul(0.5).sub(x.mul(b).sum());
    const before = opt.step(f);
    expect(opt.lastStepTaken).toBe(true);
    expect(before.item()).toBeCloseTo(0.5 * (4 * 25 + 3 * 49 + 2 * 4 + 2 * (5 * -7) + 2 * (-7 * 2)) - (5 - 14 + 6), 9);
    // A⁻¹ = adj A / det A = [[5, −2, 1], [−2, 8, −4], [1, −4, 11]] / 18, so A⁻¹b = [4, 2, 26] / 18
    expectClose(x, [4 / 18, 2 / 18, 26 / 18], { rtol: 1e-9, atol: 1e-12 });
  });

  it('trains the documents\' XOR net from their seed in at most 40 steps, where gradient descent takes 587 (mse) and 117 (bce)', () => {
    expect(xorNewton('mse', 4, 1, 100).steps).toBeLessThanOrEqual(40);
    expect(xorNewton('bce', 4, 1, 100).steps).toBeLessThanOrEqual(40);
  });

  it('ends in a local minimum from some weights (2 hidden units, seed 3): no damped step lowers the loss', () => {
    const { steps, opt } = xorNewton('mse', 2, 3, 100);
    expect(steps).toBeNull();
    expect(opt.lastStepTaken).toBe(false);
  });

  it('refuses bad closures and options, leaving the parameters as they were', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.DampedNewton([x]);
    const same = (): void => expect(Array.from(x.data)).toEqual([1, 2]);
    expect(() => opt.step(42 as never)).toThrow(/DampedNewton: step needs a closure that returns the loss, got number/);
    expect(() => opt.step(() => x.mul(2))).toThrow(/DampedNewton: the closure must return the loss as a one-element tensor, got shape \[2\]/);
    expect(() => opt.step(() => noGrad(() => x.sum()))).toThrow(/DampedNewton: the closure's loss does not depend on the parameters/);
    expect(() => opt.step(() => x.sum().mul(NaN))).toThrow(/DampedNewton: the loss is NaN at the current parameters/);
    same();
    let calls = 0; // a closure that throws during a trial: the trial's parameters are undone
    expect(() => opt.step(() => { if (++calls > 1) throw new Error('boom'); return x.square().sum(); })).toThrow(/boom/);
    same();
    expect(() => new optim.DampedNewton([])).toThrow(/DampedNewton: params must be a non-empty array/);
    expect(() => new optim.DampedNewton([tensor([1])])).toThrow(/DampedNewton: params must be a non-empty array of leaf tensors that require grad/);
    expect(() => new optim.DampedNewton([x, x])).toThrow(/DampedNewton: a parameter appears twice/);
    expect(() => new optim.DampedNewton([x], { damping: -1 })).toThrow(/DampedNewton: damping must be a finite number > 0, got -1/);
    expect(() => new optim.DampedNewton([x], { dampingFactor: 1 })).toThrow(/DampedNewton: dampingFactor must be > 1, got 1/);
    expect(() => new optim.DampedNewton([x], { maxTries: 0.5 })).toThrow(/DampedNewton: maxTries must be a positive integer, got 0.5/);
  });

});
