// L-BFGS: PyTorch's torch.optim.LBFGS (torch/optim/lbfgs.py, itself a port of minFunc and of Lua torch's
// lbfgs.lua and lswolfe.lua), with its options, its closure API, its state across step() calls and its order of
// floating-point operations. The parameters are seen as one flat vector: the algorithm works on Float64Arrays (the
// gradients gathered, the direction, the history), and every change of a parameter is an in-place copy_ inside
// noGrad, so that its version is stamped and a graph made before the step refuses a backward after it.
//
// Where PyTorch's arithmetic is not the plain one, it is reproduced: its add_(x, alpha) is a fused multiply-add on
// an x86-64 CPU with FMA (AVX2), emulated here exactly (fma below); its sum of |g| (the first step's scale) is its
// cascade sum over 4-lane vectors (torchSum below); its dot products are sequential, as here.
import { enableGrad, noGrad, Tensor } from '../autograd/index.ts';

/** What a value is, for error messages. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)})`;
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'object') return `an object of type ${v.constructor?.name ?? 'Object'}`;
  return `${typeof v} ${String(v)}`;
}
import { Optimizer } from './optimizers.ts';

/** The options of optim.LBFGS, PyTorch's in camelCase. */
export interface LBFGSOptions {
  /** Learning rate: the first trial step of each iteration (default 1). */
  lr?: number;
  /** Iterations per step() (default 20). */
  maxIter?: number;
  /** Closure evaluations per step() (default ⌊maxIter·5/4⌋, as PyTorch's max_iter * 5 // 4). */
  maxEval?: number | null;
  /** Stop when max |gradient| ≤ this (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the step, the loss change or the directional derivative is below this (default 1e-9). */
  toleranceChange?: number;
  /** Pairs (s, y) kept for the inverse-Hessian approximation (default 100). */
  historySize?: number;
  /** null: fixed steps of lr; 'strong_wolfe': a line search satisfying the strong Wolfe conditions. */
  lineSearchFn?: 'strong_wolfe' | null;
}

const OPTION_NAMES = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'];

/** The state PyTorch keeps in state[params[0]] between step() calls. */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  oldDirs: Float64Array[];
  oldStps: Float64Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Float64Array | null;
  prevLoss: number | null;
}

/** One evaluation of the closure: the loss tensor it returned, its value, and the parameters' gradients, flat. */
interface Evaluation { tensor: Tensor; loss: number; grad: Float64Array }

/**
 * L-BFGS (PyTorch's torch.optim.LBFGS). `step(closure)` runs up to maxIter iterations, calling the closure (which
 * zeroes the gradients, computes the loss, calls backward and returns the loss) as often as it needs, and returns
 * the loss of its first call. It keeps its history between step() calls, as PyTorch does.
 */
export class LBFGS extends Optimizer {
  /** Iterations per step(). */
  readonly maxIter: number;
  /** Closure evaluations per step(). */
  readonly maxEval: number;
  /** A step stops when max |gradient| ≤ this. */
  readonly toleranceGrad: number;
  /** A step stops when the step, the loss change or the directional derivative is below this. */
  readonly toleranceChange: number;
  /** Pairs (s, y) kept for the inverse-Hessian approximation. */
  readonly historySize: number;
  /** null: fixed steps of lr; 'strong_wolfe': a line search satisfying the strong Wolfe conditions. */
  readonly lineSearchFn: 'strong_wolfe' | null;
  private state: LBFGSState = { funcEvals: 0, nIter: 0, d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: null };
  private readonly numel: number;

  constructor(params: Tensor[], opts: LBFGSOptions = {}) {
    super(params);
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new Error(`LBFGS: options must be an object, got ${describe(opts)}`);
    for (const key of Object.keys(opts)) {
      if (!OPTION_NAMES.includes(key)) throw new Error(`LBFGS: unknown option '${key}' (the options are ${OPTION_NAMES.join(', ')})`);
    }
    const { lr = 1, maxIter = 20, maxEval = null, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null } = opts;
    const count = (name: string, v: unknown): number => {
      if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new Error(`LBFGS: ${name} must be an integer ≥ 1, got ${describe(v)}`);
      return v;
    };
    const tolerance = (name: string, v: unknown): number => {
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`LBFGS: ${name} must be a finite number ≥ 0, got ${describe(v)}`);
      return v;
    };
    this.lr = lr;
    this.maxIter = count('maxIter', maxIter);
    this.maxEval = maxEval === null || maxEval === undefined ? Math.floor((this.maxIter * 5) / 4) : count('maxEval', maxEval);
    this.toleranceGrad = tolerance('toleranceGrad', toleranceGrad);
    this.toleranceChange = tolerance('toleranceChange', toleranceChange);
    this.historySize = count('historySize', historySize);
    if (lineSearchFn !== null && lineSearchFn !== undefined && lineSearchFn !== 'strong_wolfe') {
      throw new Error(`LBFGS: lineSearchFn must be null or 'strong_wolfe', got ${describe(lineSearchFn)}`);
    }
    this.lineSearchFn = lineSearchFn ?? null;
    this.numel = this.params.reduce((n, p) => n + p.size, 0);
  }

  /** Closure evaluations over all step() calls (PyTorch's state['func_evals']). */
  get funcEvals(): number { return this.state.funcEvals; }
  /** Iterations over all step() calls (PyTorch's state['n_iter']). */
  get nIter(): number { return this.state.nIter; }

  /**
   * Up to maxIter iterations of L-BFGS. `closure` zeroes the gradients, computes the loss from the parameters,
   * calls loss.backward() and returns the loss; it runs with gradients recorded even inside noGrad. Returns the
   * loss of the closure's first call. If anything throws (a bad closure, a non-finite loss or gradient), the
   * parameters and the optimizer's state are put back as they were before this step, and the error is rethrown.
   */
  override step(closure?: () => Tensor): Tensor {
    if (typeof closure !== 'function') {
      throw new Error(`LBFGS: step(closure) needs a closure that zeroes the gradients, computes the loss, calls backward and returns the loss; got ${describe(closure)}`);
    }
    const saved = this.params.map((p) => p.data.slice());
    const before = this.state;
    this.state = { ...before, oldDirs: [...before.oldDirs], oldStps: [...before.oldStps], ro: [...before.ro] };
    try {
      return this.run(closure);
    } catch (e) {
      this.setParams(saved);
      this.state = before;
      throw e;
    }
  }

  /** Never called: LBFGS's step works on all the parameters at once, with a closure. */
  protected update(): void {
    throw new Error('LBFGS: step(closure) updates all parameters at once');
  }

  private run(closure: () => Tensor): Tensor {
    const lr = this.lr, maxIter = this.maxIter, maxEval = this.maxEval, toleranceGrad = this.toleranceGrad;
    const toleranceChange = this.toleranceChange, historySize = this.historySize, state = this.state;

    // evaluate initial f(x) and df/dx
    const first = this.evaluate(closure, 'the first evaluation of the step');
    const origLoss = first.tensor;
    let loss = first.loss, flatGrad = first.grad;
    let currentEvals = 1;
    state.funcEvals += 1;
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;

      // compute the descent direction
      if (state.nIter === 1) {
        d = scaled(flatGrad, -1);
        oldDirs = []; oldStps = []; ro = [];
        hDiag = 1;
      } else {
        // update the memory with y = g − g_prev, s = d·t
        const y = new Float64Array(this.numel), s = scaled(d!, t);
        for (let i = 0; i < y.length; i++) y[i] = flatGrad[i] - prevFlatGrad![i];
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) { oldDirs.shift(); oldStps.shift(); ro.shift(); }
          oldDirs.push(y); oldStps.push(s); ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        // the two-loop recursion: d = −H·g, in one buffer
        const numOld = oldDirs.length, al = new Float64Array(numOld);
        const q = scaled(flatGrad, -1);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i], q) * ro[i];
          axpy(q, -al[i], oldDirs[i]);
        }
        const r = scaled(q, hDiag);
        for (let i = 0; i < numOld; i++) {
          const be = dot(oldDirs[i], r) * ro[i];
          axpy(r, al[i] - be, oldStps[i]);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;

      // the step length: the first iteration ever is scaled by min(1, 1/|g|₁)
      t = state.nIter === 1 ? pyMin(1, 1 / torchSum(absolute(flatGrad))) * lr : lr;

      const gtd = dot(flatGrad, d); // directional derivative
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      if (this.lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.data.slice()), dir = d;
        const obj = (step: number): [number, Float64Array] => this.directionalEvaluate(closure, xInit, step, dir);
        const found = strongWolfe(obj, t, d, loss, flatGrad, gtd);
        loss = found.f; flatGrad = found.g; t = found.t; lsEvals = found.evals;
        this.addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        // a fixed step; the loss is evaluated again unless this is the last iteration
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          const ev = this.evaluate(closure, `the evaluation after iteration ${state.nIter}`);
          loss = ev.loss; flatGrad = ev.grad;
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;

      // stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (absMaxScaled(d, t) <= toleranceChange) break; // lack of progress
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  /** Call the closure (with gradients recorded) and gather the gradients into one flat array; check what it did. */
  private evaluate(closure: () => Tensor, when: string): Evaluation {
    const out: unknown = enableGrad(closure);
    if (!(out instanceof Tensor)) throw new Error(`LBFGS: the closure must return the loss tensor, got ${describe(out)} (${when})`);
    if (out.size !== 1) {
      throw new Error(`LBFGS: the closure returned a tensor of shape [${out.shape.join(', ')}] (${out.size} elements); it must return the loss, a one-element tensor (${when})`);
    }
    if (out.isLeaf) {
      throw new Error(`LBFGS: the closure returned a tensor that is not the result of a graph (value ${out.item()}, made by no op), so no gradient of it was computed; ` +
        `compute the loss from the parameters, call loss.backward() and return the loss (${when})`);
    }
    if (!this.reaches(out)) {
      throw new Error(`LBFGS: the loss the closure returned (value ${out.item()}) does not depend on any of the optimizer's parameters (${when}); ` +
        'compute it from the parameters the optimizer was given');
    }
    const loss = out.item();
    if (!Number.isFinite(loss)) throw new Error(`LBFGS: the loss is ${loss} at ${when}`);
    const grad = new Float64Array(this.numel);
    let offset = 0, any = false;
    for (const p of this.params) {
      if (p.grad !== null) { grad.set(p.grad.data, offset); any = true; }
      offset += p.size;
    }
    if (!any) throw new Error(`LBFGS: no parameter has a gradient after the closure ran (${when}); the closure must call loss.backward()`);
    for (let i = 0; i < grad.length; i++) {
      if (!Number.isFinite(grad[i])) throw new Error(`LBFGS: the gradient has the non-finite entry ${grad[i]} at flat index ${i} (${when}, loss ${loss})`);
    }
    return { tensor: out, loss, grad };
  }

  /** Whether the graph behind `loss` has one of the parameters among its inputs. */
  private reaches(loss: Tensor): boolean {
    const params = new Set<unknown>(this.params), seen = new Set<unknown>(), todo: Tensor['inputs'][number][] = [loss];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (params.has(t)) return true;
      for (const x of t.inputs) if (!seen.has(x)) { seen.add(x); todo.push(x); }
    }
    return false;
  }

  /** p ← p + t·d over the flat parameter vector, fused as PyTorch's add_(d, alpha=t). */
  private addGrad(t: number, d: Float64Array): void {
    noGrad(() => {
      let offset = 0;
      for (const p of this.params) {
        const x = p.data, next = new Float64Array(p.size);
        for (let i = 0; i < p.size; i++) next[i] = fma(t, d[offset + i], x[i]);
        p.copy_(Tensor.from(next, [...p.shape]));
        offset += p.size;
      }
    });
  }

  private setParams(values: Float64Array[]): void {
    noGrad(() => this.params.forEach((p, k) => p.copy_(Tensor.from(values[k], [...p.shape]))));
  }

  /** The loss and gradient at x + t·d, the parameters left at x (PyTorch's _directional_evaluate). */
  private directionalEvaluate(closure: () => Tensor, x: Float64Array[], t: number, d: Float64Array): [number, Float64Array] {
    this.addGrad(t, d);
    const ev = this.evaluate(closure, `the line search's trial step t = ${t}`);
    this.setParams(x);
    return [ev.loss, ev.grad];
  }
}

// ---- the line search (PyTorch's _cubic_interpolate and _strong_wolfe, ported from minFunc/lswolfe.lua) ----

/** Python's min and max of two values: the first unless the second is strictly smaller (larger). */
const pyMin = (a: number, b: number): number => (b < a ? b : a);
const pyMax = (a: number, b: number): number => (b > a ? b : a);

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds. */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return pyMin(pyMax(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

/** A step t along d satisfying the strong Wolfe conditions (sufficient decrease c1, curvature c2). */
function strongWolfe(
  obj: (t: number) => [number, Float64Array], t: number, d: Float64Array, f: number, g: Float64Array, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): { f: number; g: Float64Array; t: number; evals: number } {
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false, lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Float64Array[] = [], bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
    [fNew, gNew] = obj(t);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  // reached the maximum number of iterations?
  if (lsIter === maxLs) { bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]; }

  // zoom: refine the bracket until a point satisfies the criteria
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break; // the bracket is too small
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);

    // if t is too close to an end of the bracket (twice in a row, or at it), move it 0.1·width inside
    const hi = pyMax(bracket[0], bracket[1]), lo = pyMin(bracket[0], bracket[1]);
    const eps = 0.1 * (hi - lo);
    if (pyMin(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }

    [fNew, gNew] = obj(t);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;

    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
      // Armijo condition not satisfied, or not lower than the lowest point
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew; bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true; // the Wolfe conditions hold
      } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        // the old high becomes the new low
        bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos];
      }
      // the new point becomes the new low
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew; bracketGtd[lowPos] = gtdNew;
    }
  }
  return { f: bracketF[lowPos], g: bracketG[lowPos], t: bracket[lowPos], evals: lsFuncEvals };
}

// ---- flat-vector arithmetic, in PyTorch's order of operations ----

/** Σ a_i·b_i, summed in order (as the reference BLAS ddot PyTorch calls). */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** max |a_i| (0 for none). */
function absMax(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (v > m || v !== v) m = v; }
  return m;
}

/** max |a_i·t| (PyTorch's d.mul(t).abs().max()). */
function absMaxScaled(a: Float64Array, t: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i] * t); if (v > m || v !== v) m = v; }
  return m;
}

const scaled = (a: Float64Array, c: number): Float64Array => a.map((v) => v * c);
const absolute = (a: Float64Array): Float64Array => a.map(Math.abs);

/** y ← y + alpha·x, each element one fused multiply-add (PyTorch's y.add_(x, alpha=alpha)). */
function axpy(y: Float64Array, alpha: number, x: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = fma(alpha, x[i], y[i]);
}

/**
 * PyTorch's sum of a contiguous float64 vector on one thread (aten/src/ATen/native/cpu/SumKernel.cpp, 4-lane AVX2
 * vectors): the whole vectors are summed lane by lane by row_sum (4 interleaved accumulators over rows of 4
 * vectors, in cascade levels of 16 rows), the leftover elements in order, then the 4 lanes added to them.
 * Fewer than 4 elements are summed in order. (Above 32768 elements PyTorch splits the sum across threads.)
 */
export function torchSum(x: Float64Array): number {
  const W = 4, n = x.length;
  if (n < W) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i];
    return s;
  }
  const vecSize = Math.floor(n / W);
  const lanes = rowSum(x, vecSize, W);
  let acc = 0;
  for (let k = vecSize * W; k < n; k++) acc += x[k];
  for (let k = 0; k < W; k++) acc += lanes[k];
  return acc;
}

/** row_sum over `size` vectors of W lanes (vector i is x[i·W …]): W-lane result. */
function rowSum(x: Float64Array, size: number, W: number): Float64Array {
  const ilp = 4, sizeIlp = Math.floor(size / ilp);
  const partial = multiRowSum(x, sizeIlp, ilp, W); // partial[k]: lanes of accumulator k
  for (let i = sizeIlp * ilp; i < size; i++) for (let l = 0; l < W; l++) partial[0][l] += x[i * W + l];
  for (let k = 1; k < ilp; k++) for (let l = 0; l < W; l++) partial[0][l] += partial[k][l];
  return partial[0];
}

/** multi_row_sum: `size` rows of `nrows` vectors (row i starts at vector i·nrows), cascaded in 4 levels. */
function multiRowSum(x: Float64Array, size: number, nrows: number, W: number): Float64Array[] {
  const numLevels = 4;
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / numLevels));
  const levelStep = 2 ** levelPower;
  const acc = Array.from({ length: numLevels }, () => Array.from({ length: nrows }, () => new Float64Array(W)));
  const load = (row: number, k: number, l: number): number => x[(row * nrows + k) * W + l];
  let i = 0;
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) for (let k = 0; k < nrows; k++) for (let l = 0; l < W; l++) acc[0][k][l] += load(i, k, l);
    for (let j = 1; j < numLevels; j++) {
      for (let k = 0; k < nrows; k++) for (let l = 0; l < W; l++) { acc[j][k][l] += acc[j - 1][k][l]; acc[j - 1][k][l] = 0; }
      if (Math.floor(i / 2 ** (j * levelPower)) % levelStep !== 0) break; // (i & (levelMask << j·levelPower)) ≠ 0
    }
  }
  for (; i < size; i++) for (let k = 0; k < nrows; k++) for (let l = 0; l < W; l++) acc[0][k][l] += load(i, k, l);
  for (let j = 1; j < numLevels; j++) for (let k = 0; k < nrows; k++) for (let l = 0; l < W; l++) acc[0][k][l] += acc[j][k][l];
  return acc[0];
}

/** ⌈log₂ x⌉ as at::native::utils::CeilLog2 (1 for x ≤ 2). */
function ceilLog2(x: number): number {
  if (x <= 2) return 1;
  return Math.ceil(Math.log2(x));
}

// ---- an exact fused multiply-add ----

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)
const BIG = 2 ** 995, TINY = 2 ** -960;
const bits = new Float64Array(1), words = new Uint32Array(bits.buffer); // little-endian: words[0] is the low word
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * a·b + c rounded once (IEEE fma), as PyTorch's add_ computes on a CPU with FMA: the product split exactly
 * (Dekker), then Boldo and Melquiond's sum through rounding to odd. Outside the range where the split is exact
 * (huge or tiny products, infinities, NaN) it falls back to a·b + c rounded twice.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const ap = Math.abs(p);
  if (!(ap < BIG && ap > TINY && Math.abs(a) < BIG && Math.abs(b) < BIG && Math.abs(c) < BIG)) return p + c;
  // a·b = p + e exactly
  let s = SPLITTER * a;
  const ah = s - (s - a), al = a - ah;
  s = SPLITTER * b;
  const bh = s - (s - b), bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  // c + p = th + tl exactly
  const th = c + p, bb = th - c, tl = (c - (th - bb)) + (p - bb);
  // v = tl + e rounded to odd
  let v = tl + e;
  const vb = v - tl, err = (tl - (v - vb)) + (e - vb);
  if (err !== 0 && v !== 0) {
    bits[0] = v;
    const lo = LITTLE ? 0 : 1, hi = 1 - lo;
    if ((words[lo] & 1) === 0) {
      if ((v > 0) === (err > 0)) {
        words[lo] |= 1; // one ulp away from zero: an even low word only gains its last bit
      } else if (words[lo] !== 0) {
        words[lo] -= 1; // one ulp toward zero
      } else {
        words[lo] = 0xffffffff; words[hi] -= 1;
      }
      v = bits[0];
    }
  }
  return th + v;
}
