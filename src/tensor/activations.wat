;; The logistic sigmoid and tanh over an array, in place, two float64 lanes at a time (WebAssembly SIMD): the gate
;; arithmetic of the recurrent layers (recurrence.ts), where Math.exp and Math.tanh cost 9–28 ns a value here.
;; Compiled to activations-wasm.ts by `npm run build:wasm`; test/simd-activations.test.ts checks them against σ as
;; the sigmoid op computes it (to 2 ulp) and Math.tanh (to 4 ulp) over the whole range, ±0, ±∞, NaN and subnormal
;; results.
;;
;; Both need e^y only for y ≤ 0 (no overflow), as the engine's sigmoid op:
;;   σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) otherwise: with e = e^−|x|, s = 1/(1 + e), σ = s or e·s;
;;   tanh|x| = (1 − e)/(1 + e) with e = e^−2|x| for |x| ≥ 0.5; below, where 1 − e would cancel, tanh's own Taylor
;;   series; then the sign of x put back.
;; e^y: y = k·ln2 + r, |r| ≤ ln2/2 (ln2 split in two so that k·LN2_HI is exact), e^r by its Taylor series to r^13
;; (the rest < 4e-18), then times 2^k built from its bits, in two halves so that a result below the normal range
;; rounds once, as a subnormal.
(module
  (import "env" "memory" (memory 1))

  ;; e^y for y ≤ 0 or NaN, in both lanes.
  (func $exp (param $y v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128) (local $n v128) (local $k1 v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128) (local $e4 v128) (local $e5 v128) (local $e6 v128) (local $ep v128)
    (local.set $y (f64x2.pmax (local.get $y) (v128.const f64x2 -746 -746))) ;; below, e^y rounds to 0 (NaN stays NaN)
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $y) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
    (local.set $r (f64x2.sub
      (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
      (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
    ;; Σ r^i/i! for i ≤ 13, by Estrin's scheme (pairs, then r², r⁴, r⁸: a short chain of dependent operations)
    (local.set $e0 (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (v128.const f64x2 1.0 1.0) (local.get $r))))
    (local.set $e1 (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (v128.const f64x2 0.16666666666666666 0.16666666666666666) (local.get $r))))
    (local.set $e2 (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (v128.const f64x2 0.008333333333333333 0.008333333333333333) (local.get $r))))
    (local.set $e3 (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (v128.const f64x2 0.0001984126984126984 0.0001984126984126984) (local.get $r))))
    (local.set $e4 (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06) (local.get $r))))
    (local.set $e5 (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08) (local.get $r))))
    (local.set $e6 (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10) (local.get $r))))
    (local.set $ep (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (local.get $e1) (local.get $ep))))
    (local.set $e2 (f64x2.add (local.get $e2) (f64x2.mul (local.get $e3) (local.get $ep))))
    (local.set $e4 (f64x2.add (local.get $e4) (f64x2.mul (local.get $e5) (local.get $ep))))
    (local.set $ep (f64x2.mul (local.get $ep) (local.get $ep)))
    (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (local.get $e2) (local.get $ep))))
    (local.set $e4 (f64x2.add (local.get $e4) (f64x2.mul (local.get $e6) (local.get $ep))))
    (local.set $ep (f64x2.mul (local.get $ep) (local.get $ep)))
    (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (local.get $e4) (local.get $ep))))
    (local.set $p (local.get $e0))
    ;; 2^k = 2^k1 · 2^(k − k1), k1 = floor(k/2): each half at least −539, a normal number
    (local.set $n (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))))
    (local.set $k1 (i64x2.shr_s (local.get $n) (i32.const 1)))
    (f64x2.mul
      (f64x2.mul (local.get $p) (i64x2.shl (i64x2.add (local.get $k1) (v128.const i64x2 1023 1023)) (i32.const 52)))
      (i64x2.shl (i64x2.add (i64x2.sub (local.get $n) (local.get $k1)) (v128.const i64x2 1023 1023)) (i32.const 52))))

;; x[i] = σ(x[i]) for i < n, x at byte offset $p (the last lane of an odd n is computed on the value after it).
  (func (export "sigmoid") (param $n i32) (param $p i32)
    (local $x v128) (local $e v128) (local $s v128) (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $e (call $exp (f64x2.neg (f64x2.abs (local.get $x)))))
        (local.set $s (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $e))))
        ;; x ≥ 0 (and NaN, whose e is NaN): s; x < 0: e·s
        (v128.store (local.get $p)
          (v128.bitselect (f64x2.mul (local.get $e) (local.get $s)) (local.get $s) (f64x2.lt (local.get $x) (v128.const f64x2 0 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs))))

  ;; x[i] = tanh(x[i]) for i < n, as sigmoid.
  (func (export "tanh") (param $n i32) (param $p i32)
    (local $x v128) (local $a v128) (local $s v128) (local $q v128) (local $e v128) (local $t v128) (local $end i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $t4 v128) (local $t5 v128) (local $t6 v128) (local $t7 v128) (local $t8 v128) (local $tp v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $a (f64x2.abs (local.get $x)))
        ;; |x| < 0.5: tanh's Taylor series, |x|·(1 + s·Σ c_i·s^i) for s = x², i ≤ 16 (the rest < 1e-18 of it), by Estrin's scheme
        (local.set $s (f64x2.mul (local.get $a) (local.get $a)))
        (local.set $t0 (f64x2.add (v128.const f64x2 -0.3333333333333333 -0.3333333333333333) (f64x2.mul (v128.const f64x2 0.13333333333333333 0.13333333333333333) (local.get $s))))
        (local.set $t1 (f64x2.add (v128.const f64x2 -0.05396825396825397 -0.05396825396825397) (f64x2.mul (v128.const f64x2 0.021869488536155203 0.021869488536155203) (local.get $s))))
        (local.set $t2 (f64x2.add (v128.const f64x2 -0.008863235529902197 -0.008863235529902197) (f64x2.mul (v128.const f64x2 0.003592128036572481 0.003592128036572481) (local.get $s))))
        (local.set $t3 (f64x2.add (v128.const f64x2 -0.0014558343870513183 -0.0014558343870513183) (f64x2.mul (v128.const f64x2 0.000590027440945586 0.000590027440945586) (local.get $s))))
        (local.set $t4 (f64x2.add (v128.const f64x2 -0.00023912911424355248 -0.00023912911424355248) (f64x2.mul (v128.const f64x2 9.691537956929451e-05 9.691537956929451e-05) (local.get $s))))
        (local.set $t5 (f64x2.add (v128.const f64x2 -3.927832388331683e-05 -3.927832388331683e-05) (f64x2.mul (v128.const f64x2 1.5918905069328964e-05 1.5918905069328964e-05) (local.get $s))))
        (local.set $t6 (f64x2.add (v128.const f64x2 -6.451689215655431e-06 -6.451689215655431e-06) (f64x2.mul (v128.const f64x2 2.6147711512907546e-06 2.6147711512907546e-06) (local.get $s))))
        (local.set $t7 (f64x2.add (v128.const f64x2 -1.0597268320104654e-06 -1.0597268320104654e-06) (f64x2.mul (v128.const f64x2 4.294911078273806e-07 4.294911078273806e-07) (local.get $s))))
        (local.set $t8 (v128.const f64x2 -1.7406618963571648e-07 -1.7406618963571648e-07))
        (local.set $tp (f64x2.mul (local.get $s) (local.get $s)))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $t1) (local.get $tp))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $t3) (local.get $tp))))
        (local.set $t4 (f64x2.add (local.get $t4) (f64x2.mul (local.get $t5) (local.get $tp))))
        (local.set $t6 (f64x2.add (local.get $t6) (f64x2.mul (local.get $t7) (local.get $tp))))
        (local.set $tp (f64x2.mul (local.get $tp) (local.get $tp)))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $t2) (local.get $tp))))
        (local.set $t4 (f64x2.add (local.get $t4) (f64x2.mul (local.get $t6) (local.get $tp))))
        (local.set $tp (f64x2.mul (local.get $tp) (local.get $tp)))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $t4) (local.get $tp))))
        (local.set $tp (f64x2.mul (local.get $tp) (local.get $tp)))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $t8) (local.get $tp))))
        (local.set $q (local.get $t0))
        (local.set $q (f64x2.add (local.get $a) (f64x2.mul (local.get $a) (f64x2.mul (local.get $q) (local.get $s)))))
        (local.set $e (call $exp (f64x2.mul (local.get $a) (v128.const f64x2 -2 -2))))
        ;; |x| < 0.5: the series; else (1 − e)/(1 + e) (NaN: the second, NaN)
        (local.set $t (v128.bitselect
          (local.get $q)
          (f64x2.div (f64x2.sub (v128.const f64x2 1 1) (local.get $e)) (f64x2.add (v128.const f64x2 1 1) (local.get $e)))
          (f64x2.lt (local.get $a) (v128.const f64x2 0.5 0.5))))
        ;; the sign of x (tanh(−0) = −0)
        (v128.store (local.get $p) (v128.or (local.get $t)
          (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs)))))
