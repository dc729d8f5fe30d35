// Three interleaved spirals in the plane (the CS231n toy set): class k's points run out from the origin
// along an arm that turns through 4 radians, with noise on the angle, drawn from a seeded generator.
import { arange, cat, full, randn, stack, type RandomState, type Tensor } from '../../src/index.ts';

export const CLASSES = 3;

export interface Dataset {
  /** Points [n·CLASSES, 2], class by class. */
  X: Tensor;
  /** Class of each point [n·CLASSES]: integers 0, 1, 2 as float64 (what crossEntropyLoss takes). */
  y: Tensor;
}

/** n points per class: radius r from 0 to 1, angle t = 4k + 4r + noise·N(0, 1); the point (r·sin t, r·cos t). */
export function spirals(n: number, noise: number, rng: RandomState): Dataset {
  const r = arange(n).div(n - 1);
  const arms = Array.from({ length: CLASSES }, (_, k) => {
    const t = r.mul(4).add(4 * k).add(randn([n], { rng }).mul(noise));
    return stack([r.mul(t.sin()), r.mul(t.cos())], 1);
  });
  return { X: cat(arms, 0), y: cat(arms.map((_, k) => full([n], k)), 0) };
}
