// Buffers for op outputs and gradients. V8 gives a Float64Array of more than 8 elements its own off-heap
// backing store, which costs 0.3–0.6 µs to make: more than the arithmetic of a small op (measured, Node 20).
// Such small buffers are cut from shared 16 KiB slabs instead, for the cost of a view; the GC frees a slab once
// no view into it is left (so a small tensor kept alive keeps at most 16 KiB alive). New memory is zeroed.
const SLAB_BYTES = 16384, ON_HEAP = 8, SLAB_MAX = 256;
let slab = new ArrayBuffer(SLAB_BYTES), used = 0;

export function alloc(n: number): Float64Array {
  if (n <= ON_HEAP || n > SLAB_MAX) return new Float64Array(n); // on V8's heap already / worth a buffer of its own
  const bytes = n * 8;
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = new Float64Array(slab, used, n);
  used += bytes;
  return view;
}
