;; The micro-kernel of gemm.ts: a block of C = packed A · packed B, in 4×4 tiles, with WebAssembly SIMD
;; (two float64 lanes per v128). Plain JavaScript has no SIMD; this runs the same packed loop ~2.5× faster.
;; Compiled to gemm-wasm.ts by `npm run build:wasm`; test/gemm-wasm.test.ts checks the two agree.
;;
;; Layout (byte offsets into the exported memory, float64 values):
;;   a: mp panels of 4 rows, each k-major: panel p holds A[4p + r, k] at a + 8·(4·kc·p + 4k + r)
;;   b: np panels of 4 columns, each k-major: panel q holds B[k, 4q + s] at b + 8·(4·kc·q + 4k + s)
;;   c: the (4·mp)×(4·np) result, row-major with ldc values per row; written, not accumulated.
(module
  (memory (export "memory") 1)
  (func (export "kernel")
    (param $mp i32) (param $np i32) (param $kc i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $row i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    ;; the tile: row r of C is (c_r0, c_r1), two lanes each
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $row (i32.shl (local.get $ldc) (i32.const 3)))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $c00 (v128.const f64x2 0 0)) (local.set $c01 (v128.const f64x2 0 0))
        (local.set $c10 (v128.const f64x2 0 0)) (local.set $c11 (v128.const f64x2 0 0))
        (local.set $c20 (v128.const f64x2 0 0)) (local.set $c21 (v128.const f64x2 0 0))
        (local.set $c30 (v128.const f64x2 0 0)) (local.set $c31 (v128.const f64x2 0 0))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (i32.shl (local.get $kc) (i32.const 5)))))
        (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (i32.shl (local.get $kc) (i32.const 5)))))
        (local.set $k (local.get $kc))
        ;; c_r += A[r, k] · B[k, 0..3], for each k of the panels
        (loop $inner
          (local.set $b0 (v128.load offset=0 (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $x (f64x2.splat (f64.load offset=0 (local.get $pa))))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (f64x2.splat (f64.load offset=8 (local.get $pa))))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (f64x2.splat (f64.load offset=16 (local.get $pa))))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (f64x2.splat (f64.load offset=24 (local.get $pa))))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (br_if $inner (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
        ;; store the tile at c + 8·(4i·ldc + 4j)
        (local.set $pc (i32.add (local.get $c)
          (i32.add (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $row)) (i32.shl (local.get $j) (i32.const 5)))))
        (v128.store offset=0 (local.get $pc) (local.get $c00))
        (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $row)))
        (v128.store offset=0 (local.get $pc) (local.get $c10))
        (v128.store offset=16 (local.get $pc) (local.get $c11))
        (local.set $pc (i32.add (local.get $pc) (local.get $row)))
        (v128.store offset=0 (local.get $pc) (local.get $c20))
        (v128.store offset=16 (local.get $pc) (local.get $c21))
        (local.set $pc (i32.add (local.get $pc) (local.get $row)))
        (v128.store offset=0 (local.get $pc) (local.get $c30))
        (v128.store offset=16 (local.get $pc) (local.get $c31))
        (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
      (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))))
