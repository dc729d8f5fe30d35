// The PyTorch fixture of the convolution and pooling tests (test/fixtures/conv-reference.json, written by
// scripts/conv_reference.py): its cases, their inputs drawn again from the seeds it names, and the comparison.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomState, Tensor, type Shape } from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';

/** A tensor as the fixture holds it. */
export interface Values { shape: number[]; data: number[] }

/** One application of an op: what it was given, what PyTorch computed, and the gradient of each input. */
export interface Case {
  name: string;
  op: string;
  seed: number;
  /** Each input's shape (null: an input not given, as a missing bias). */
  shapes: (number[] | null)[];
  /** The input is floor(uniform(0, 3)): small integers, with ties. */
  ties: boolean;
  out: Values;
  grads: (Values | null)[];
  options: Record<string, unknown>;
  kernelSize?: number | number[];
  outputSize?: number | number[];
  size?: number | (number | null)[];
}

export const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'conv-reference.json'), 'utf8')) as {
  torch: string;
  conv: Case[];
  unfold: Case[];
  pool: Case[];
  lenet: { seed: number; lr: number; y: number[]; losses: number[]; grads: Record<string, Values>; logits: Values };
};

/**
 * The inputs of a case, drawn as the script drew them (each from uniform(−1, 1), or floor(uniform(0, 3)) for ties,
 * in order, from RandomState(seed)), requiring grad; and the upstream gradient of an output of `shape`, drawn next.
 */
export function inputsOf(c: Case): { inputs: (Tensor | null)[]; upstream: (shape: Shape) => Tensor } {
  const rng = new RandomState(c.seed);
  const inputs = c.shapes.map((shape) => {
    if (shape === null) return null;
    const v = c.ties ? rng.uniform(0, 3, shape).map(Math.floor) : rng.uniform(-1, 1, shape);
    return Tensor.from(v, shape, { requiresGrad: true });
  });
  return { inputs, upstream: (shape) => Tensor.from(rng.uniform(-1, 1, shape), [...shape]) };
}

/**
 * Asserts `got` has the fixture's shape and values, to 1e-12 of the largest value: PyTorch's products add in
 * another order than the engine's.
 */
export function expectReference(got: Tensor | null, want: Values, what: string): void {
  if (got === null) throw new Error(`${what}: no tensor`);
  expectClose(got, Tensor.from(Float64Array.from(want.data), want.shape), { rtol: 1e-12, atol: 1e-12 * maxAbs(want.data) }, what);
}
