// Where tensor values live. Making a Float64Array costs V8 40–60 ns even for one element (and 0.3–0.6 µs for
// one of its own off-heap backing store above 8): more than the arithmetic of a small op (measured, Node 20).
// So small tensors take a run of a shared slab, addressed by offset, and no typed array is made for them at
// all. A slab must never reach a user (transferring its buffer would detach every tensor on it), so a tensor
// copies its values out of the slab the first time its `.data` is read (see TensorBase.data).
const SLAB = 2048; // elements: 16 KiB
/** Tensors up to this many elements live on slabs. */
export const SLAB_MAX = 256;

/** The slab the last takeSlab() cut from (a live binding: read it right after the call). */
export let slab = new Float64Array(SLAB);
let used = 0;

/** The offset in `slab` of n fresh zeroed elements (n ≤ SLAB_MAX), starting a new slab when this one is full. */
export function takeSlab(n: number): number {
  if (used + n > SLAB) {
    slab = new Float64Array(SLAB);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** The largest tensor, in elements: V8's limit for a Float64Array on 64-bit platforms. */
export const MAX_SIZE = 2 ** 32 - 1;
