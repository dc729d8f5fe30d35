// Op buffers cut from shared slabs must behave like fresh, separate Float64Arrays.
import { describe, expect, it } from 'vitest';
import { alloc } from '../src/tensor/alloc.ts';

describe('alloc', () => {
  it('gives zeroed buffers of the asked length, for small, slab-sized and large requests', () => {
    for (const n of [0, 1, 8, 9, 16, 100, 256, 257, 5000]) {
      const b = alloc(n);
      expect(b).toBeInstanceOf(Float64Array);
      expect(b.length).toBe(n);
      expect(b.every((v) => v === 0)).toBe(true);
    }
  });

  it('never lets two live buffers overlap, across many slabs', () => {
    const live: Float64Array[] = [];
    for (let k = 0; k < 2000; k++) {
      const b = alloc(9 + (k % 248));
      b.fill(k);
      live.push(b);
    }
    live.forEach((b, k) => expect(b.every((v) => v === k)).toBe(true));
  });
});
