// The 8×8 handwritten digits (scikit-learn's load_digits, from the UCI repository; see README.md beside this file):
// read from digits.bin, and split with a held-out fifth.
import { readFileSync } from 'node:fs';
import { data, RandomState, Tensor } from '../../src/index.ts';

/** Images in digits.bin, their side in pixels, and the number of classes (the digits 0–9). */
export const COUNT = 1797, SIDE = 8, CLASSES = 10;

/** Images and their digits, row by row. */
export interface Digits {
  /** Images [n, 1, 8, 8] (one channel), pixels in [0, 1]: the file's 0..16 divided by 16. */
  images: Tensor;
  /** The digit of each image [n]: integers 0–9 as float64 (what crossEntropyLoss takes). */
  labels: Tensor;
}

/** All 1,797 digits from digits.bin: COUNT × 64 pixel bytes, then COUNT label bytes (README.md). */
export function loadDigits(file: URL | string = new URL('digits.bin', import.meta.url)): Digits {
  const bytes = readFileSync(file), pixels = COUNT * SIDE * SIDE;
  if (bytes.length !== pixels + COUNT) throw new Error(`loadDigits: ${String(file)} has ${bytes.length} bytes, expected ${pixels + COUNT}`);
  const images = new Float64Array(pixels), labels = new Float64Array(COUNT);
  for (let i = 0; i < pixels; i++) images[i] = bytes[i]! / 16; // exact: k/16 is a binary fraction
  for (let i = 0; i < COUNT; i++) labels[i] = bytes[pixels + i]!;
  return { images: Tensor.from(images, [COUNT, 1, SIDE, SIDE]), labels: Tensor.from(labels, [COUNT]) };
}

/**
 * A training set and a held-out test set of a fifth of the digits (359 of 1,797), by a seeded shuffle
 * (data.randomSplit with fractions [0.8, 0.2], not stratified: the classes are nearly balanced, so each digit
 * holds out about a fifth of its images). The same seed gives the same split.
 */
export function splitDigits(digits: Digits, seed: number): { train: Digits; test: Digits } {
  const all = new data.TensorDataset(digits.images, digits.labels);
  const [train, test] = data.randomSplit(all, [0.8, 0.2], { rng: new RandomState(seed) });
  const part = (s: data.Subset<[Tensor, Tensor]>): Digits =>
    ({ images: digits.images.indexSelect(0, s.indices), labels: digits.labels.indexSelect(0, s.indices) });
  return { train: part(train), test: part(test) };
}
