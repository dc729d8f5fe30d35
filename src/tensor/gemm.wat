;; The micro-kernel of gemm.ts: C += packed A · B over a block, in 4×4 tiles, with WebAssembly SIMD (two
;; float64 lanes per v128). Plain JavaScript has no SIMD; this runs the same loop ~3.5× faster.
;; Compiled to gemm-wasm.ts by `npm run build:wasm`; test/wasm-generated.test.ts checks the two agree. The build also
;; makes a variant whose imported memory is shared (the same code; two threads then split a product's tiles).
;;
;; Layout of the tile kernel's operands (byte offsets into the memory, float64 values):
;;   a: mt panels of 4 rows, each k-major: panel p holds A[4p + r, k] at a + 8·(4·kc·p + 4k + r)
;;   b: nt panels of 4 columns: panel q holds B[k, 4q .. 4q + 3] as 4 consecutive values at b + q·bts + k·bks
;;      (packed k-major panels: bts = 32·kc, bks = 32; or B's own rows copied as they are: bts = 32, bks = 8·ldb)
;;   c: the (4·mt)×(4·nt) block, row-major, ldc bytes per row; the kernel adds the product to it.
;;
;; Register budget: V8 keeps 15 xmm registers for wasm on x64. The tile needs 8 accumulators, 2 B vectors, the
;; splatted A value and a product temporary; larger tiles (5×4, 6×4) or unrolling k spill and ran slower.
;; A values are splatted by v128.load64_splat, a single movddup from memory; f64x2.splat of an f64.load costs
;; a shuffle on the floating-point ports as well (24 against 18 GFLOP/s on this kernel, measured).
(module
  (import "env" "memory" (memory 1))
  (func (export "kernel")
    (param $mt i32) (param $nt i32) (param $kc i32) (param $a i32)
    (param $b i32) (param $bts i32) (param $bks i32) (param $c i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    ;; the tile: row r of C is (c_r0, c_r1), two lanes each
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $c00 (v128.const f64x2 0 0)) (local.set $c01 (v128.const f64x2 0 0))
        (local.set $c10 (v128.const f64x2 0 0)) (local.set $c11 (v128.const f64x2 0 0))
        (local.set $c20 (v128.const f64x2 0 0)) (local.set $c21 (v128.const f64x2 0 0))
        (local.set $c30 (v128.const f64x2 0 0)) (local.set $c31 (v128.const f64x2 0 0))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (i32.shl (local.get $kc) (i32.const 5)))))
        (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bts))))
        (local.set $k (local.get $kc))
        ;; c_r += A[r, k] · B[k, 0..3], for each k of the panels
        (loop $inner
          (local.set $b0 (v128.load offset=0 (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $x (v128.load64_splat offset=0 (local.get $pa)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat offset=8 (local.get $pa)))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat offset=16 (local.get $pa)))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat offset=24 (local.get $pa)))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
          (local.set $pb (i32.add (local.get $pb) (local.get $bks)))
          (br_if $inner (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
        ;; add the tile to C at c + 4i·ldc + 32j
        (local.set $pc (i32.add (local.get $c)
          (i32.add (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 5)))))
        (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
        (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
        (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
        (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
        (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
        (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nt))))
      (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mt)))))

  ;; c[j] += Σ_k x[k]·y[k, j] for j < n: a row vector times a matrix (y's rows ldy bytes apart), without packing.
  ;; 16 columns at a time are kept in 8 accumulators over all k: eight independent additions per k hide the
  ;; adder's latency. n is a multiple of 16 (the caller pads c; reading y past a row's end only feeds the padding).
  (func (export "rows")
    (param $n i32) (param $kc i32) (param $x i32) (param $y i32) (param $ldy i32) (param $c i32)
    (local $k i32) (local $px i32) (local $py i32) (local $pc i32) (local $end i32) (local $v v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $pc (local.get $c))
    (local.set $end (i32.add (local.get $c) (i32.shl (local.get $n) (i32.const 3))))
    (loop $chunks
      (local.set $c0 (v128.load offset=0 (local.get $pc)))
      (local.set $c1 (v128.load offset=16 (local.get $pc)))
      (local.set $c2 (v128.load offset=32 (local.get $pc)))
      (local.set $c3 (v128.load offset=48 (local.get $pc)))
      (local.set $c4 (v128.load offset=64 (local.get $pc)))
      (local.set $c5 (v128.load offset=80 (local.get $pc)))
      (local.set $c6 (v128.load offset=96 (local.get $pc)))
      (local.set $c7 (v128.load offset=112 (local.get $pc)))
      (local.set $px (local.get $x))
      (local.set $py (local.get $y))
      (local.set $k (local.get $kc))
      (loop $inner
        (local.set $v (v128.load64_splat (local.get $px)))
        (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $v) (v128.load offset=0 (local.get $py)))))
        (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $py)))))
        (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $v) (v128.load offset=32 (local.get $py)))))
        (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $v) (v128.load offset=48 (local.get $py)))))
        (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $v) (v128.load offset=64 (local.get $py)))))
        (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $v) (v128.load offset=80 (local.get $py)))))
        (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $v) (v128.load offset=96 (local.get $py)))))
        (local.set $c7 (f64x2.add (local.get $c7) (f64x2.mul (local.get $v) (v128.load offset=112 (local.get $py)))))
        (local.set $px (i32.add (local.get $px) (i32.const 8)))
        (local.set $py (i32.add (local.get $py) (local.get $ldy)))
        (br_if $inner (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (v128.store offset=0 (local.get $pc) (local.get $c0))
      (v128.store offset=16 (local.get $pc) (local.get $c1))
      (v128.store offset=32 (local.get $pc) (local.get $c2))
      (v128.store offset=48 (local.get $pc) (local.get $c3))
      (v128.store offset=64 (local.get $pc) (local.get $c4))
      (v128.store offset=80 (local.get $pc) (local.get $c5))
      (v128.store offset=96 (local.get $pc) (local.get $c6))
      (v128.store offset=112 (local.get $pc) (local.get $c7))
      (local.set $y (i32.add (local.get $y) (i32.const 128)))
      (br_if $chunks (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (i32.const 128))) (local.get $end)))))

  ;; c[j] += Σ_k x[k]·y[j, k] for j < n: dot products of x with y's rows (ldy bytes apart), without packing.
  ;; Eight k at a time in four accumulators (independent additions hide the adder's latency), then pairs, then
  ;; the odd one: every value read is a real one, so a row's neighbours never enter its sum.
  (func (export "dots")
    (param $n i32) (param $kc i32) (param $x i32) (param $y i32) (param $ldy i32) (param $c i32)
    (local $k i32) (local $px i32) (local $py i32) (local $s f64)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (loop $outputs
      (local.set $a0 (v128.const f64x2 0 0)) (local.set $a1 (v128.const f64x2 0 0))
      (local.set $a2 (v128.const f64x2 0 0)) (local.set $a3 (v128.const f64x2 0 0))
      (local.set $px (local.get $x))
      (local.set $py (local.get $y))
      (local.set $k (i32.shr_u (local.get $kc) (i32.const 3)))
      (if (local.get $k)
        (then
          (loop $eights
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $px)) (v128.load offset=0 (local.get $py)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $px)) (v128.load offset=16 (local.get $py)))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $px)) (v128.load offset=32 (local.get $py)))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $px)) (v128.load offset=48 (local.get $py)))))
            (local.set $px (i32.add (local.get $px) (i32.const 64)))
            (local.set $py (i32.add (local.get $py) (i32.const 64)))
            (br_if $eights (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
      (local.set $k (i32.and (i32.shr_u (local.get $kc) (i32.const 1)) (i32.const 3)))
      (if (local.get $k)
        (then
          (loop $pairs
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $px)) (v128.load offset=0 (local.get $py)))))
            (local.set $px (i32.add (local.get $px) (i32.const 16)))
            (local.set $py (i32.add (local.get $py) (i32.const 16)))
            (br_if $pairs (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
      (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
      (if (i32.and (local.get $kc) (i32.const 1))
        (then (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $px)) (f64.load (local.get $py)))))))
      (f64.store (local.get $c) (f64.add (f64.load (local.get $c)) (local.get $s)))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $y (i32.add (local.get $y) (local.get $ldy)))
      (br_if $outputs (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; Packing, after the block was copied in unpacked (a memcpy per row or per block; faster than gathering the
  ;; values one by one in JavaScript). Panels are 4·kc values, k-major; an edge panel reads past the last real
  ;; row or column, which only feeds the padding of C.

  ;; Panel p interleaves rows 4p .. 4p + 3 of src (rows lds bytes apart): value (r, k) to dst + 8·(4·kc·p + 4k + r).
  ;; Two k at a time: a pair of values from each row, regrouped by k with lane shuffles (unpcklpd / unpckhpd).
  (func (export "packRows") (param $np i32) (param $kc i32) (param $src i32) (param $lds i32) (param $dst i32)
    (local $k i32) (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (loop $panels
      (local.set $s0 (local.get $src))
      (local.set $s1 (i32.add (local.get $s0) (local.get $lds)))
      (local.set $s2 (i32.add (local.get $s1) (local.get $lds)))
      (local.set $s3 (i32.add (local.get $s2) (local.get $lds)))
      (local.set $k (i32.shr_u (local.get $kc) (i32.const 1)))
      (if (local.get $k)
        (then
          (loop $pairs
            (local.set $r0 (v128.load (local.get $s0)))
            (local.set $r1 (v128.load (local.get $s1)))
            (local.set $r2 (v128.load (local.get $s2)))
            (local.set $r3 (v128.load (local.get $s3)))
            (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1)))
            (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r3)))
            (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r0) (local.get $r1)))
            (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r2) (local.get $r3)))
            (local.set $s0 (i32.add (local.get $s0) (i32.const 16)))
            (local.set $s1 (i32.add (local.get $s1) (i32.const 16)))
            (local.set $s2 (i32.add (local.get $s2) (i32.const 16)))
            (local.set $s3 (i32.add (local.get $s3) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
            (br_if $pairs (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
      (if (i32.and (local.get $kc) (i32.const 1))
        (then
          (f64.store offset=0 (local.get $dst) (f64.load (local.get $s0)))
          (f64.store offset=8 (local.get $dst) (f64.load (local.get $s1)))
          (f64.store offset=16 (local.get $dst) (f64.load (local.get $s2)))
          (f64.store offset=24 (local.get $dst) (f64.load (local.get $s3)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $lds) (i32.const 2))))
      (br_if $panels (local.tee $np (i32.sub (local.get $np) (i32.const 1))))))

  ;; Panel q takes columns 4q .. 4q + 3 of src (rows lds bytes apart): the 4 values of row k to dst + 8·(4·kc·q + 4k).
  (func (export "packColumns") (param $nt i32) (param $kc i32) (param $src i32) (param $lds i32) (param $dst i32)
    (local $k i32) (local $s i32)
    (loop $panels
      (local.set $s (local.get $src))
      (local.set $k (local.get $kc))
      (loop $ks
        (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
        (local.set $s (i32.add (local.get $s) (local.get $lds)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br_if $ks (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (br_if $panels (local.tee $nt (i32.sub (local.get $nt) (i32.const 1)))))))
