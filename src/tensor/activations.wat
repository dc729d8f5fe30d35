;; The logistic sigmoid and tanh over an array, in place, two float64 lanes at a time (WebAssembly SIMD): the gate
;; arithmetic of the recurrent layers (recurrence.ts), where Math.exp and Math.tanh cost 9–28 ns a value here; and
;; an LSTM step whole around them, forward and back (lstmStep and lstmStepBack, at the end; test/recurrent.test.ts
;; checks those against LSTMCell and the tensor-op rules).
;; Compiled to activations-wasm.ts by `npm run build:wasm`; test/simd-activations.test.ts checks them against σ as
;; the sigmoid op computes it (to 2 ulp) and Math.tanh (to 4 ulp) over the whole range, ±0, ±∞, NaN and subnormal
;; results.
;;
;; Both need e^y only for y ≤ 0 (no overflow):
;;   σ(x) = 1/(1 + e) for x ≥ 0, e/(1 + e) otherwise, with e = e^−|x|: the sigmoid op's own formulas, so that σ
;;   rounds as the op's does wherever e does;
;;   tanh|x| = (1 − e)/(1 + e) with e = e^−2|x| and 1 − e = (1 − 2^k) − 2^k·expm1(r) (below): no cancellation
;;   near x = 0 (where k = 0), so no separate series for small x; then the sign of x put back.
;; e^y = 2^k·e^r with y = k·ln2 + r, |r| ≤ ln2/2: k rounded by adding 1.5·2^52, which leaves k in the low bits of
;; the sum, so that those shifted up 52 bits plus the bits of 1 are the bits of 2^k; ln2 split in two so that
;; k·LN2_HI is exact. e^r = 1 + expm1(r), expm1(r) = r + r²·q(r), q the degree-9 minimax polynomial of
;; (e^r − 1 − r)/r² on |r| ≤ ln2/2 (within 1.2e-16, so expm1(r) within 4.4e-17 of itself). σ takes 2^(k+64), a
;; normal number, for 2^k, and 2^64 for 1: a result below the normal range rounds once, in the division.
;;
;; For speed on V8 (x86: no FMA, no relaxed SIMD, Estrin's scheme for q: short chains of dependent operations):
;; the constants are globals, a load each (a v128.const costs three instructions where it is used); and each
;; loop step reduces the pair at p (load, k, r) before it finishes the pair before it, reduced in the step
;; before: the out-of-order core, whose window holds only a few pairs' long dependency chains, then overlaps them
;; better (~15–20% faster). That order holds as long as the loop body is one basic block: V8 moved the reduction
;; after the finishing when the store was in an `if`. The reduction and q are written out in both loops rather than
;; called: a call cost ~35% (V8 saves the SIMD registers around it).
(module
  (import "env" "memory" (memory 1))

  (global $SIGN v128 (v128.const i64x2 0x8000000000000000 0x8000000000000000))
  (global $ONE v128 (v128.const f64x2 1 1)) ;; also the bits of 2^0, 0x3ff << 52
  (global $TWO v128 (v128.const f64x2 2 2))
  (global $TWO64 v128 (v128.const f64x2 0x1p64 0x1p64)) ;; also the bits of 2^64, 0x43f << 52
  (global $SIGMOID_MIN v128 (v128.const f64x2 -746 -746)) ;; below, e^y rounds to 0; k ≥ −1076
  (global $TANH_MIN v128 (v128.const f64x2 -40 -40)) ;; below, 1 − e^y rounds to 1; k ≥ −58
  (global $LOG2E v128 (v128.const f64x2 0x1.71547652b82fep0 0x1.71547652b82fep0))
  (global $SHIFTER v128 (v128.const f64x2 0x1.8p52 0x1.8p52))
  (global $LN2_HI v128 (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1))
  (global $LN2_LO v128 (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))
  (global $Q0 v128 (v128.const f64x2 0x1.0000000000001p-1 0x1.0000000000001p-1))
  (global $Q1 v128 (v128.const f64x2 0x1.5555555555558p-3 0x1.5555555555558p-3))
  (global $Q2 v128 (v128.const f64x2 0x1.5555555553d66p-5 0x1.5555555553d66p-5))
  (global $Q3 v128 (v128.const f64x2 0x1.111111110f807p-7 0x1.111111110f807p-7))
  (global $Q4 v128 (v128.const f64x2 0x1.6c16c1788a79cp-10 0x1.6c16c1788a79cp-10))
  (global $Q5 v128 (v128.const f64x2 0x1.a01a01b00a691p-13 0x1.a01a01b00a691p-13))
  (global $Q6 v128 (v128.const f64x2 0x1.a019b9129ad5ep-16 0x1.a019b9129ad5ep-16))
  (global $Q7 v128 (v128.const f64x2 0x1.71ddf6b900d99p-19 0x1.71ddf6b900d99p-19))
  (global $Q8 v128 (v128.const f64x2 0x1.28917ed1dcde4p-22 0x1.28917ed1dcde4p-22))
  (global $Q9 v128 (v128.const f64x2 0x1.af632130593afp-26 0x1.af632130593afp-26))

  ;; x[i] = σ(x[i]) for i < n, x at byte offset $p (the last lane of an odd n is computed on the value after it).
  (func $sigmoid (export "sigmoid") (param $n i32) (param $p i32)
    (local $q i32) (local $last i32)
    (local $x v128) (local $t v128) (local $r v128) (local $x0 v128) (local $t0 v128) (local $r0 v128)
    (local $y v128) (local $k v128) (local $r2 v128) (local $r4 v128) (local $a v128) (local $b v128) (local $e v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $last (i32.add (local.get $p) (i32.shl (i32.shr_u (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4))))
    (local.set $q (local.get $p))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (local.get $q) (local.get $last)))
        ;; x0, t0, r0: the pair at q, reduced in the step before (in the first step, zeros)
        (local.set $x0 (local.get $x))
        (local.set $t0 (local.get $t))
        (local.set $r0 (local.get $r))
        ;; reduce the pair at p (past the last pair, the last again, unused)
        (local.set $x (v128.load (select (local.get $p) (local.get $last) (i32.le_u (local.get $p) (local.get $last)))))
        (local.set $y (f64x2.pmax (v128.or (local.get $x) (global.get $SIGN)) (global.get $SIGMOID_MIN))) ;; −|x| (NaN stays NaN)
        (local.set $t (f64x2.add (f64x2.mul (local.get $y) (global.get $LOG2E)) (global.get $SHIFTER)))
        (local.set $k (f64x2.sub (local.get $t) (global.get $SHIFTER)))
        (local.set $r (f64x2.sub
          (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (global.get $LN2_HI)))
          (f64x2.mul (local.get $k) (global.get $LN2_LO))))
        ;; finish the pair at q (in the first step, a dummy written to pair 0, after its load, and overwritten next)
        ;; q(r) by Estrin's scheme: (Q0 + Q1·r) + (Q2 + Q3·r)·r² + r⁴·((Q4 + Q5·r) + (Q6 + Q7·r)·r² + r⁴·(Q8 + Q9·r))
        (local.set $r2 (f64x2.mul (local.get $r0) (local.get $r0)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $a (f64x2.add
          (f64x2.add (global.get $Q0) (f64x2.mul (global.get $Q1) (local.get $r0)))
          (f64x2.mul (f64x2.add (global.get $Q2) (f64x2.mul (global.get $Q3) (local.get $r0))) (local.get $r2))))
        (local.set $b (f64x2.add
          (f64x2.add (global.get $Q4) (f64x2.mul (global.get $Q5) (local.get $r0)))
          (f64x2.mul (f64x2.add (global.get $Q6) (f64x2.mul (global.get $Q7) (local.get $r0))) (local.get $r2))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $r4)
          (f64x2.add (local.get $b) (f64x2.mul (local.get $r4) (f64x2.add (global.get $Q8) (f64x2.mul (global.get $Q9) (local.get $r0))))))))
        ;; e = e^−|x|·2^64 = (1 + (r + r²·q))·2^(k+64)
        (local.set $e (f64x2.mul
          (f64x2.add (global.get $ONE) (f64x2.add (local.get $r0) (f64x2.mul (local.get $r2) (local.get $a))))
          (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (global.get $TWO64))))
        ;; (x < 0 ? e : 2^64)/(2^64 + e), the choice as max(e, x < 0 ? 0 : 2^64) (e ≤ 2^64; a NaN e stays;
        ;; x < 0 by its sign bit: x = −0 has e = 2^64 too)
        (v128.store (local.get $q) (f64x2.div
          (f64x2.pmax (local.get $e) (v128.andnot (global.get $TWO64) (i64x2.lt_s (local.get $x0) (v128.const i64x2 0 0))))
          (f64x2.add (global.get $TWO64) (local.get $e))))
        (local.set $q (local.get $p))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs))))

  ;; x[i] = tanh(x[i]) for i < n, as sigmoid.
  (func $tanh (export "tanh") (param $n i32) (param $p i32)
    (local $q i32) (local $last i32)
    (local $x v128) (local $t v128) (local $r v128) (local $x0 v128) (local $t0 v128) (local $r0 v128)
    (local $y v128) (local $k v128) (local $r2 v128) (local $r4 v128) (local $a v128) (local $b v128) (local $scale v128) (local $e v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $last (i32.add (local.get $p) (i32.shl (i32.shr_u (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4))))
    (local.set $q (local.get $p))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (local.get $q) (local.get $last)))
        ;; x0, t0, r0: the pair at q, reduced in the step before (in the first step, zeros)
        (local.set $x0 (local.get $x))
        (local.set $t0 (local.get $t))
        (local.set $r0 (local.get $r))
        ;; reduce the pair at p (past the last pair, the last again, unused)
        (local.set $x (v128.load (select (local.get $p) (local.get $last) (i32.le_u (local.get $p) (local.get $last)))))
        (local.set $y (v128.or (local.get $x) (global.get $SIGN))) ;; −|x| (NaN stays NaN)
        (local.set $y (f64x2.pmax (f64x2.add (local.get $y) (local.get $y)) (global.get $TANH_MIN)))
        (local.set $t (f64x2.add (f64x2.mul (local.get $y) (global.get $LOG2E)) (global.get $SHIFTER)))
        (local.set $k (f64x2.sub (local.get $t) (global.get $SHIFTER)))
        (local.set $r (f64x2.sub
          (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (global.get $LN2_HI)))
          (f64x2.mul (local.get $k) (global.get $LN2_LO))))
        ;; finish the pair at q (in the first step, a dummy written to pair 0, after its load, and overwritten next)
        ;; q(r) by Estrin's scheme: (Q0 + Q1·r) + (Q2 + Q3·r)·r² + r⁴·((Q4 + Q5·r) + (Q6 + Q7·r)·r² + r⁴·(Q8 + Q9·r))
        (local.set $r2 (f64x2.mul (local.get $r0) (local.get $r0)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $a (f64x2.add
          (f64x2.add (global.get $Q0) (f64x2.mul (global.get $Q1) (local.get $r0)))
          (f64x2.mul (f64x2.add (global.get $Q2) (f64x2.mul (global.get $Q3) (local.get $r0))) (local.get $r2))))
        (local.set $b (f64x2.add
          (f64x2.add (global.get $Q4) (f64x2.mul (global.get $Q5) (local.get $r0)))
          (f64x2.mul (f64x2.add (global.get $Q6) (f64x2.mul (global.get $Q7) (local.get $r0))) (local.get $r2))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $r4)
          (f64x2.add (local.get $b) (f64x2.mul (local.get $r4) (f64x2.add (global.get $Q8) (f64x2.mul (global.get $Q9) (local.get $r0))))))))
        ;; 1 − e^y = (1 − 2^k) − 2^k·expm1(r), expm1(r) = r + r²·q
        (local.set $scale (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (global.get $ONE))) ;; 2^k
        (local.set $e (f64x2.sub
          (f64x2.sub (global.get $ONE) (local.get $scale))
          (f64x2.mul (local.get $scale) (f64x2.add (local.get $r0) (f64x2.mul (local.get $r2) (local.get $a))))))
        ;; (1 − e^y)/(1 + e^y), ≥ +0, with the sign of x (tanh(−0) = −0)
        (v128.store (local.get $q) (v128.or
          (f64x2.div (local.get $e) (f64x2.sub (global.get $TWO) (local.get $e)))
          (v128.and (local.get $x0) (global.get $SIGN))))
        (local.set $q (local.get $p))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs))))

  ;; One step of an LSTM (recurrence.ts) over `rows` rows of H values, in planes of rows·H values, plane k at byte
  ;; $p + k·$stride: the gates' pre-activations a + (x + b), for a and x [rows, 4H] at $a and $x and b [4H] at $b,
  ;; written gate by gate into planes 0–3 (i, f, g, o); i, f and o through σ, g through tanh; c = f·c_prev + i·g
  ;; (c_prev in plane 4) into plane 5; tanh(c) into plane 6; h = o·tanh(c) into plane 7. The arithmetic, in its
  ;; order, of the tensor ops. By pairs of lanes: for an odd H a row's last pair also writes the lane after the
  ;; row, which the next row then overwrites (and after the last row, a spare lane of the region).
  (func (export "lstmStep") (param $rows i32) (param $H i32) (param $a i32) (param $x i32) (param $b i32) (param $p i32) (param $stride i32)
    (local $r i32) (local $k i32) (local $j i32) (local $row i32) (local $src i32) (local $dst i32) (local $bias i32)
    (local $n i32) (local $f i32) (local $g i32) (local $o i32) (local $cp i32) (local $c i32) (local $tc i32) (local $h i32)
    (local.set $row (i32.shl (local.get $H) (i32.const 3))) ;; a row of a plane, in bytes
    (local.set $n (i32.mul (local.get $rows) (local.get $H)))
    (local.set $f (i32.add (local.get $p) (local.get $stride)))
    (local.set $g (i32.add (local.get $f) (local.get $stride)))
    (local.set $o (i32.add (local.get $g) (local.get $stride)))
    (local.set $cp (i32.add (local.get $o) (local.get $stride)))
    (local.set $c (i32.add (local.get $cp) (local.get $stride)))
    (local.set $tc (i32.add (local.get $c) (local.get $stride)))
    (local.set $h (i32.add (local.get $tc) (local.get $stride)))
    ;; the gates: row r's run of gate k, a[r, kH ..] + (x[r, kH ..] + b[kH ..]), to plane k at r·H
    (loop $rowsLoop
      (local.set $k (i32.const 0))
      (loop $gates
        (local.set $src (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 2)) (local.get $k)) (local.get $row)))
        (local.set $dst (i32.add (i32.add (local.get $p) (i32.mul (local.get $k) (local.get $stride))) (i32.mul (local.get $r) (local.get $row))))
        (local.set $bias (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $row))))
        (local.set $j (i32.const 0))
        (loop $pairs
          (v128.store (i32.add (local.get $dst) (local.get $j))
            (f64x2.add (v128.load (i32.add (i32.add (local.get $a) (local.get $src)) (local.get $j)))
              (f64x2.add (v128.load (i32.add (i32.add (local.get $x) (local.get $src)) (local.get $j)))
                (v128.load (i32.add (local.get $bias) (local.get $j))))))
          (br_if $pairs (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $row))))
        (br_if $gates (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 4))))
      (br_if $rowsLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
    (call $sigmoid (local.get $n) (local.get $p))
    (call $sigmoid (local.get $n) (local.get $f))
    (call $tanh (local.get $n) (local.get $g))
    (call $sigmoid (local.get $n) (local.get $o))
    ;; c = f·c_prev + i·g, into c and (for its tanh, in place) tc
    (local.set $j (i32.const 0))
    (loop $cells
      (v128.store (i32.add (local.get $c) (local.get $j)) (f64x2.add
        (f64x2.mul (v128.load (i32.add (local.get $f) (local.get $j))) (v128.load (i32.add (local.get $cp) (local.get $j))))
        (f64x2.mul (v128.load (i32.add (local.get $p) (local.get $j))) (v128.load (i32.add (local.get $g) (local.get $j))))))
      (v128.store (i32.add (local.get $tc) (local.get $j)) (v128.load (i32.add (local.get $c) (local.get $j))))
      (br_if $cells (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.shl (local.get $n) (i32.const 3)))))
    (call $tanh (local.get $n) (local.get $tc))
    ;; h = o·tanh(c)
    (local.set $j (i32.const 0))
    (loop $outputs
      (v128.store (i32.add (local.get $h) (local.get $j))
        (f64x2.mul (v128.load (i32.add (local.get $o) (local.get $j))) (v128.load (i32.add (local.get $tc) (local.get $j)))))
      (br_if $outputs (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.shl (local.get $n) (i32.const 3))))))

  ;; One step of an LSTM's backward through time (recurrence.ts, lstmStepsBack) over `rows` rows of H values, in
  ;; planes of rows·H values $stride bytes apart from $p: i, f, g, o, tanh c and c_prev (the forward's); the
  ;; gradients arriving at h, c, i, f, g, o and tanh c; dh and dc from the step after. Writes the gradients of the
  ;; gates' pre-activations [rows, 4H] at $out (by four more planes, each row then copied to its place) and dc for
  ;; the step before into the plane after those. The arithmetic, in its order, of the tensor ops (sigmoidBackward
  ;; g·(y·(1 − y)), tanhBackward g·(1 − y·y)).
  (func (export "lstmStepBack") (param $rows i32) (param $H i32) (param $p i32) (param $stride i32) (param $out i32)
    (local $j i32) (local $end i32) (local $r i32) (local $k i32) (local $row i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $tc v128) (local $dht v128) (local $dct v128)
    (local $iP i32) (local $fP i32) (local $gP i32) (local $oP i32) (local $tcP i32) (local $cpP i32) (local $ghP i32) (local $gcP i32) (local $giP i32) (local $gfP i32)
    (local $ggP i32) (local $goP i32) (local $gtcP i32) (local $dhP i32) (local $dcP i32) (local $diP i32) (local $dfP i32) (local $dgP i32) (local $doP i32) (local $dcOutP i32)
    (local.set $iP (local.get $p))
    (local.set $fP (i32.add (local.get $iP) (local.get $stride)))
    (local.set $gP (i32.add (local.get $fP) (local.get $stride)))
    (local.set $oP (i32.add (local.get $gP) (local.get $stride)))
    (local.set $tcP (i32.add (local.get $oP) (local.get $stride)))
    (local.set $cpP (i32.add (local.get $tcP) (local.get $stride)))
    (local.set $ghP (i32.add (local.get $cpP) (local.get $stride)))
    (local.set $gcP (i32.add (local.get $ghP) (local.get $stride)))
    (local.set $giP (i32.add (local.get $gcP) (local.get $stride)))
    (local.set $gfP (i32.add (local.get $giP) (local.get $stride)))
    (local.set $ggP (i32.add (local.get $gfP) (local.get $stride)))
    (local.set $goP (i32.add (local.get $ggP) (local.get $stride)))
    (local.set $gtcP (i32.add (local.get $goP) (local.get $stride)))
    (local.set $dhP (i32.add (local.get $gtcP) (local.get $stride)))
    (local.set $dcP (i32.add (local.get $dhP) (local.get $stride)))
    (local.set $diP (i32.add (local.get $dcP) (local.get $stride)))
    (local.set $dfP (i32.add (local.get $diP) (local.get $stride)))
    (local.set $dgP (i32.add (local.get $dfP) (local.get $stride)))
    (local.set $doP (i32.add (local.get $dgP) (local.get $stride)))
    (local.set $dcOutP (i32.add (local.get $doP) (local.get $stride)))
    (local.set $end (i32.shl (i32.mul (local.get $rows) (local.get $H)) (i32.const 3)))
    (loop $pairs
      (local.set $i (v128.load (i32.add (local.get $iP) (local.get $j)))) (local.set $f (v128.load (i32.add (local.get $fP) (local.get $j)))) (local.set $g (v128.load (i32.add (local.get $gP) (local.get $j)))) (local.set $o (v128.load (i32.add (local.get $oP) (local.get $j)))) (local.set $tc (v128.load (i32.add (local.get $tcP) (local.get $j))))
      (local.set $dht (f64x2.add (v128.load (i32.add (local.get $ghP) (local.get $j))) (v128.load (i32.add (local.get $dhP) (local.get $j)))))
      ;; c feeds h = o·tanh(c), its own plane tanh(c), and the next step
      (local.set $dct (f64x2.add (f64x2.add (v128.load (i32.add (local.get $gcP) (local.get $j))) (v128.load (i32.add (local.get $dcP) (local.get $j))))
        (f64x2.mul (f64x2.add (f64x2.mul (local.get $dht) (local.get $o)) (v128.load (i32.add (local.get $gtcP) (local.get $j)))) (f64x2.sub (global.get $ONE) (f64x2.mul (local.get $tc) (local.get $tc))))))
      ;; c = f·c_prev + i·g
      (v128.store (i32.add (local.get $diP) (local.get $j)) (f64x2.mul (f64x2.add (f64x2.mul (local.get $dct) (local.get $g)) (v128.load (i32.add (local.get $giP) (local.get $j)))) (f64x2.mul (local.get $i) (f64x2.sub (global.get $ONE) (local.get $i)))))
      (v128.store (i32.add (local.get $dfP) (local.get $j)) (f64x2.mul (f64x2.add (f64x2.mul (local.get $dct) (v128.load (i32.add (local.get $cpP) (local.get $j)))) (v128.load (i32.add (local.get $gfP) (local.get $j)))) (f64x2.mul (local.get $f) (f64x2.sub (global.get $ONE) (local.get $f)))))
      (v128.store (i32.add (local.get $dgP) (local.get $j)) (f64x2.mul (f64x2.add (f64x2.mul (local.get $dct) (local.get $i)) (v128.load (i32.add (local.get $ggP) (local.get $j)))) (f64x2.sub (global.get $ONE) (f64x2.mul (local.get $g) (local.get $g)))))
      (v128.store (i32.add (local.get $doP) (local.get $j)) (f64x2.mul (f64x2.add (f64x2.mul (local.get $dht) (local.get $tc)) (v128.load (i32.add (local.get $goP) (local.get $j)))) (f64x2.mul (local.get $o) (f64x2.sub (global.get $ONE) (local.get $o)))))
      (v128.store (i32.add (local.get $dcOutP) (local.get $j)) (f64x2.mul (local.get $dct) (local.get $f)))
      (br_if $pairs (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $end))))
    ;; row r of gate k's plane to [r, kH ..] of the output
    (local.set $row (i32.shl (local.get $H) (i32.const 3)))
    (loop $rowsLoop
      (local.set $k (i32.const 0))
      (loop $gates
        (memory.copy
          (i32.add (local.get $out) (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 2)) (local.get $k)) (local.get $row)))
          (i32.add (i32.add (local.get $diP) (i32.mul (local.get $k) (local.get $stride))) (i32.mul (local.get $r) (local.get $row)))
          (local.get $row))
        (br_if $gates (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 4))))
      (br_if $rowsLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))
