// Small tensors live in shared slabs; none of that may be visible: every tensor a user reaches owns its memory.
import { describe, expect, it } from 'vitest';
import { takeSlab, SLAB_MAX } from '../src/tensor/storage.ts';
import * as live from '../src/tensor/storage.ts';
import { ones, tensor, Tensor } from '../src/index.ts';

describe('takeSlab', () => {
  it('gives zeroed runs that never overlap, across many slabs', () => {
    const runs: [Float64Array, number, number][] = [];
    for (let k = 0; k < 2000; k++) {
      const n = 1 + (k % SLAB_MAX);
      const at = takeSlab(n), s = live.slab;
      expect(at + n).toBeLessThanOrEqual(s.length);
      for (let i = 0; i < n; i++) expect(s[at + i]).toBe(0);
      s.fill(k + 1, at, at + n);
      runs.push([s, at, n]);
    }
    runs.forEach(([s, at, n], k) => { for (let i = 0; i < n; i++) expect(s[at + i]).toBe(k + 1); });
  });
});

describe('a tensor a user reaches owns its buffer', () => {
  const small = (): Tensor[] => [1, 5, 9, 16, 100, 256].map((n) => ones([n]).mul(2));

  it('data is a Float64Array of exactly the tensor, alone in its ArrayBuffer', () => {
    for (const t of small()) {
      const d = t.data;
      expect(d.length).toBe(t.size);
      expect(d.byteOffset).toBe(0);
      expect(d.buffer.byteLength).toBe(t.size * 8);
      expect(Array.from(d).every((v) => v === 2)).toBe(true);
    }
  });

  it('transferring one tensor\'s buffer leaves every other tensor intact, and later ops work', () => {
    const others = small(), victim = ones([16]).mul(3);
    const before = others.map((t) => t.sum().item());
    structuredClone(victim.data, { transfer: [victim.data.buffer as ArrayBuffer] });
    expect(others.map((t) => t.sum().item())).toEqual(before);
    for (let k = 0; k < 3000; k++) expect(tensor([k, 1]).mul(2).sum().item()).toBe(2 * k + 2); // new slabs too
  });

  it('Buffer.from(t.data.buffer) shows that tensor only', () => {
    const a = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9]).mul(1), b = tensor([7, 7, 7, 7, 7, 7, 7, 7, 7]).mul(1);
    const bytes = Buffer.from(a.data.buffer);
    expect(bytes.length).toBe(9 * 8);
    expect(Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, 9))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.sum().item()).toBe(63);
  });

  it('writes through data reach the tensor (it is the tensor\'s own storage, not a copy)', () => {
    const t = ones([20]).mul(1);
    t.data[3] = 9;
    expect(t.sum().item()).toBe(28);
  });
});
