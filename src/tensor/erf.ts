// The error function and its complement in float64, from W. J. Cody's rational Chebyshev approximations ("Rational
// Chebyshev approximations for the error function", Math. Comp. 23, 1969; the coefficients of his CALERF, netlib
// specfun), good to about one ulp. erfc is computed directly, not as 1 − erf, so it keeps its relative accuracy
// far into the tail, where 1 − erf(x) would round to 0.

// erf(x) = x·A(x²)/B(x²) for |x| ≤ 0.46875.
const A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
// erfc(y) = e^(−y²)·C(y)/D(y) for 0.46875 < y ≤ 4.
const C = [5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
  8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8];
const D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
  3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
// erfc(y) = e^(−y²)/y·(1/√π − z·P(z)/Q(z)), z = 1/y², for y > 4.
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
  6.58749161529837803e-4, 1.63153871373020978e-2];
const Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const INV_SQRT_PI = 0.56418958354775628695;
const SMALL = 0.46875;
const BIG = 27.3; // erfc(y) < 2^−1075 beyond: it rounds to 0

/** erf(x)/x for |x| ≤ 0.46875, as a function of x². */
function smallRatio(x2: number): number {
  let num = A[4] * x2, den = x2;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * x2;
    den = (den + B[i]) * x2;
  }
  return (num + A[3]) / (den + B[3]);
}

/** e^(−y²), with y² split as h² + (y − h)(y + h), h = y rounded down to 1/16: y² itself would round and lose digits. */
function expMinusSquare(y: number): number {
  const h = Math.trunc(y * 16) / 16;
  return Math.exp(-h * h) * Math.exp(-(y - h) * (y + h));
}

/** erfc(y) for y > 0.46875. */
function erfcAbove(y: number): number {
  if (y >= BIG) return 0;
  let r: number;
  if (y <= 4) {
    let num = C[8] * y, den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    r = (num + C[7]) / (den + D[7]);
  } else {
    const z = 1 / (y * y);
    let num = P[5] * z, den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]) * z;
      den = (den + Q[i]) * z;
    }
    r = (INV_SQRT_PI - z * (num + P[4]) / (den + Q[4])) / y;
  }
  return r * expMinusSquare(y);
}

/** The error function, erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= SMALL) return x * smallRatio(x * x);
  const c = erfcAbove(y); // NaN falls through to here and stays NaN
  return x < 0 ? c - 1 : 1 - c;
}

/** The complementary error function, erfc(x) = 1 − erf(x), accurate where it is tiny (large x). */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= SMALL) return 1 - x * smallRatio(x * x);
  const c = erfcAbove(y);
  return x < 0 ? 2 - c : c;
}
