// The digits of examples/digits: what data.ts loads against what scripts/digits_data.py wrote into the README from
// scikit-learn (the file's SHA-256, the count of each digit, the first image), the split, and a check of data and
// DataLoader together: a logistic regression trained on the training part classifies the held-out fifth.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { data, nn, noGrad, optim, RandomState, type Tensor } from '../src/index.ts';
import { CLASSES, COUNT, loadDigits, splitDigits, type Digits } from '../examples/digits/data.ts';
import { root } from './consumer.ts';

const dir = join(root, 'examples', 'digits');
const readme = readFileSync(join(dir, 'README.md'), 'utf8');

/** The per-digit counts of the README's table (`| digit | images |`). */
const readmeCounts = (): number[] => [...readme.matchAll(/^\| (\d) \| (\d+) \|$/gm)].map((m) => Number(m[2]));
/** The first image's pixels (0..16) as the README prints them, row-major. */
const readmeFirstImage = (): number[] => {
  const block = /The first image \(a (\d)\)[^`]*```text\n([\s\S]*?)```/.exec(readme)!;
  return block[2]!.trim().split(/\s+/).map(Number);
};
const countsOf = (labels: Tensor): number[] => {
  const counts = new Array<number>(CLASSES).fill(0);
  for (const v of labels.data) counts[v]!++;
  return counts;
};
const sum = (t: Tensor): number => t.sum().item();

describe('digits data', () => {
  let digits: Digits;
  beforeAll(() => { digits = loadDigits(); });

  it('is the file the script wrote (its SHA-256 in the README)', () => {
    const sha = createHash('sha256').update(readFileSync(join(dir, 'digits.bin'))).digest('hex');
    expect(readme).toContain(`SHA-256 of digits.bin: \`${sha}\``);
  });

  it('has 1797 images [1, 8, 8] and as many of each digit as scikit-learn', () => {
    expect(digits.images.shape).toEqual([COUNT, 1, 8, 8]);
    expect(digits.labels.shape).toEqual([COUNT]);
    expect(readmeCounts()).toHaveLength(CLASSES);
    expect(countsOf(digits.labels)).toEqual(readmeCounts());
    expect(readmeCounts().reduce((a, b) => a + b)).toBe(COUNT);
  });

  it('scales pixels 0..16 to [0, 1], and reads them row by row as load_digits gives them', () => {
    expect([digits.images.min().item(), digits.images.max().item()]).toEqual([0, 1]);
    expect(digits.images.data.every((v) => Number.isInteger(v * 16))).toBe(true);
    expect(digits.labels.data.every((v) => Number.isInteger(v) && v >= 0 && v < CLASSES)).toBe(true);
    expect(Array.from(digits.images.select(0, 0).data, (v) => v * 16)).toEqual(readmeFirstImage());
    expect(readme).toMatch(new RegExp(`The first image \\(a ${digits.labels.data[0]}\\)`));
  });

  it('holds out a fifth by a seeded shuffle: the same seed, the same split; together the parts are all digits', () => {
    const { train, test } = splitDigits(digits, 0);
    expect(train.images.shape).toEqual([1438, 1, 8, 8]);
    expect([train.labels.size, test.images.shape[0], test.labels.size]).toEqual([1438, 359, 359]);
    const again = splitDigits(digits, 0), other = splitDigits(digits, 1);
    expect(Array.from(again.test.labels.data)).toEqual(Array.from(test.labels.data));
    expect(Array.from(other.test.labels.data)).not.toEqual(Array.from(test.labels.data));
    const together = countsOf(train.labels).map((c, d) => c + countsOf(test.labels)[d]!);
    expect(together).toEqual(readmeCounts());
    expect(sum(train.images) + sum(test.images)).toBe(sum(digits.images)); // sums of multiples of 1/16: exact
    for (const c of countsOf(test.labels)) expect(c).toBeGreaterThan(20); // every digit is held out (about 36 each)
  });

  it('a logistic regression trained with the DataLoader classifies ≥ 90% of the held-out fifth in 5 epochs', () => {
    const { train, test } = splitDigits(digits, 0);
    const rng = new RandomState(0);
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, CLASSES, { init: 'xavier', rng }));
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const loader = new data.DataLoader(new data.TensorDataset(train.images, train.labels), { batchSize: 32, shuffle: true, rng });
    const accuracy = (): number => noGrad(() => model.call(test.images).argmax(1).eq(test.labels).mean().item());
    expect(accuracy()).toBeLessThan(0.5); // untrained
    let batches = 0;
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        nn.crossEntropyLoss(model.call(x), y).backward();
        opt.step();
        batches++;
      }
    }
    expect(batches).toBe(5 * Math.ceil(1438 / 32));
    expect(accuracy()).toBeGreaterThanOrEqual(0.9);
  });
});
