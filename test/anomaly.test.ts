// Anomaly detection (detectAnomaly, setDetectAnomaly): the first op whose forward output or backward gradient holds
// NaN or ±Infinity throws, naming the op, the phase, its inputs and where it was made; off, nothing changes.
import { afterEach, describe, expect, it } from 'vitest';
import { compile, detectAnomaly, isAnomalyEnabled, nn, setDetectAnomaly, tensor, Tensor } from '../src/index.ts';

afterEach(() => setDetectAnomaly(false));

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return String(e);
  }
  throw new Error('expected a throw');
};

describe('anomaly detection', () => {
  it('names log of a negative number in the forward, with its input and the caller', () => {
    const m = message(() => detectAnomaly(() => tensor([[1, -2], [3, 4]]).log().sum()));
    expect(m).toMatch(/anomaly: 'log' \(forward\) produced NaN at index 1 of its output \[2, 2\]; input 0 \[2, 2\]\./);
    expect(m).not.toMatch(/already held/); // the input was finite: log made the NaN
    expect(m).toMatch(/called at:\n\s+at .*anomaly\.test\.ts/); // the user's line, not the engine's
  });

  it('names 0 · Infinity and says which input already held a non-finite value', () => {
    const m = message(() => detectAnomaly(() => tensor([0, 1]).mul(Infinity)));
    expect(m).toMatch(/anomaly: 'mul' \(forward\) produced NaN at index 0 of its output \[2\]; input 0 \[2\], input 1 \[\] \(already held Infinity at index 0\)/);
  });

  it('names a rule that makes Infinity from finite values in the backward: sqrt at 0', () => {
    const x = tensor([4, 0, 1], { requiresGrad: true });
    const m = message(() => detectAnomaly(() => x.sqrt().sum().backward()));
    expect(m).toMatch(/anomaly: the backward of 'sqrt' \[3\] produced Infinity at index 1 \(in its op 'div'/);
    expect(m).toMatch(/'sqrt' has inputs input 0 \[3\]\. It was made at:\n\s+at .*anomaly\.test\.ts/);
    expect(x.grad).toBeNull(); // nothing half-written into the leaf
  });

  it('finds a NaN that arrives in the data at the first op that reads it, before it reaches the weights', () => {
    const model = new nn.Linear(2, 1);
    const before = model.weight.toArray();
    const x = tensor([[1, NaN]]);
    const m = message(() => detectAnomaly(() => nn.mseLoss(model.call(x), tensor([[0]])).backward()));
    expect(m).toMatch(/anomaly: 'linear' \(forward\) produced NaN .*input 0 \[1, 2\] \(already held NaN at index 1\)/);
    expect(model.weight.toArray()).toEqual(before);
    expect(model.weight.grad).toBeNull();
  });

  it('is a global switch as well, off by default; off, NaN flows through unreported', () => {
    expect(isAnomalyEnabled()).toBe(false);
    expect(Number.isNaN(tensor([-1]).log().item())).toBe(true);
    setDetectAnomaly(true);
    expect(isAnomalyEnabled()).toBe(true);
    expect(() => tensor([-1]).log()).toThrow(/anomaly: 'log'/);
    setDetectAnomaly(false);
    expect(() => tensor([-1]).log()).not.toThrow();
    detectAnomaly(() => expect(isAnomalyEnabled()).toBe(true));
    expect(isAnomalyEnabled()).toBe(false);
  });

  it('leaves finite steps alone, and refuses compile() and bad arguments', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    detectAnomaly(() => x.mul(x).sum().backward());
    expect(x.grad!.toArray()).toEqual([2, 4]);
    const f = compile((a: Tensor) => a.mul(2));
    expect(() => detectAnomaly(() => f(tensor([1])))).toThrow(/compile: a compiled step replays its ops without the op door/);
    expect(() => detectAnomaly('no' as never)).toThrow(/detectAnomaly: expected a function, got the string 'no'/);
    expect(() => setDetectAnomaly(1 as never)).toThrow(/setDetectAnomaly: expected true or false, got number 1/);
  });
});
