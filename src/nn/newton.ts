// Damped Newton for small networks: each step solves (H + λI)·d = −g with the exact Hessian H of the loss over all
// parameters (the engine's gradients differentiated again) and adapts the damping λ as Levenberg–Marquardt does.
import { cat, grad, noGrad, Tensor } from '../autograd/index.ts';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The options of optim.DampedNewton. */
export interface DampedNewtonOptions {
  /** The first damping λ (default 1e-3). */
  damping?: number;
  /** λ is divided by this after a step that lowers the loss and multiplied by it after one that does not (default 10). */
  dampingFactor?: number;
  /** The least λ (default 1e-12), so a run of good steps cannot make it 0. */
  minDamping?: number;
  /** Trials with growing λ per step before giving up on lowering the loss there (default 30). */
  maxTries?: number;
}

/**
 * Damped Newton (Levenberg–Marquardt damping on the exact Hessian), for networks of up to a few hundred
 * parameters: a step costs one backward pass per parameter and an n × n solve. With g the gradient and H the Hessian
 * of the loss over all parameters (in order, flattened), a step tries d = −(H + λI)⁻¹·g: λ is raised (×
 * dampingFactor) until H + λI is positive definite (Cholesky succeeds) and the loss at p + d is below the loss at p;
 * the step is then taken and λ lowered (÷ dampingFactor, not below minDamping). Small λ: Newton's step, which near a
 * minimum converges quadratically; large λ: a short gradient-descent step of length ~ ‖g‖/λ, which is safe where H
 * is indefinite (the XOR net's loss is not convex, F13). When no λ within maxTries lowers the loss the parameters
 * stay as they are (a minimum, or a saddle the damping cannot leave).
 *
 * `step(closure)`: the closure computes the loss from the parameters and returns it (a one-element tensor); unlike
 * PyTorch's LBFGS closure it need not call backward. It is called again for each trial. step returns the loss before
 * the step.
 */
export class DampedNewton {
  /** The parameters it updates, in the order the Hessian's rows and columns take them. */
  readonly params: Tensor[];
  /** The current damping λ. */
  damping: number;
  /** λ's factor after a step that lowered the loss (÷) or did not (×). */
  readonly dampingFactor: number;
  /** The least λ. */
  readonly minDamping: number;
  /** Trials with growing λ per step. */
  readonly maxTries: number;
  /** Whether the last step lowered the loss (false: the parameters were left as they were). */
  lastStepTaken = false;

  constructor(params: Tensor[], opts: DampedNewtonOptions = {}) {
    if (!Array.isArray(params) || params.length === 0 || params.some((p) => !(p instanceof Tensor) || !p.isLeaf || !p.requiresGrad)) {
      throw new Error('DampedNewton: params must be a non-empty array of leaf tensors that require grad (model.parameters())');
    }
    if (new Set(params).size !== params.length) throw new Error('DampedNewton: a parameter appears twice');
    if (typeof opts !== 'object' || opts === null) throw new Error(`DampedNewton: options must be an object, got ${String(opts)}`);
    const { damping = 1e-3, dampingFactor = 10, minDamping = 1e-12, maxTries = 30 } = opts;
    const positive = (name: string, v: unknown): number => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`DampedNewton: ${name} must be a finite number > 0, got ${String(v)}`);
      return v;
    };
    this.params = [...params];
    this.damping = positive('damping', damping);
    this.dampingFactor = positive('dampingFactor', dampingFactor);
    if (this.dampingFactor <= 1) throw new Error(`DampedNewton: dampingFactor must be > 1, got ${dampingFactor}`);
    this.minDamping = positive('minDamping', minDamping);
    if (!Number.isInteger(maxTries) || maxTries < 1) throw new Error(`DampedNewton: maxTries must be a positive integer, got ${String(maxTries)}`);
    this.maxTries = maxTries;
  }

  /** One damped Newton step; returns the loss before it. The parameters are unchanged if anything throws. */
  step(closure: () => Tensor): Tensor {
    if (typeof closure !== 'function') throw new Error(`DampedNewton: step needs a closure that returns the loss, got ${typeof closure}`);
    const params = this.params, before = params.map((p) => Float64Array.from(p.data));
    const loss = this.evaluate(closure, true);
    const l0 = loss.item();
    if (!Number.isFinite(l0)) throw new Error(`DampedNewton: the loss is ${l0} at the current parameters`);
    const g = this.gradient(loss), H = this.hessian(g);
    const minusG = Array.from(g.data, (v) => -v);
    this.lastStepTaken = false;
    try {
      for (let tries = 0; tries < this.maxTries && !this.lastStepTaken; tries++) {
        const d = choleskySolve(H, this.damping, minusG);
        if (d !== null) {
          this.set(before, d);
          const l1 = noGrad(() => this.evaluate(closure, false).item());
          if (l1 < l0) { // NaN compares false: rejected like a rise
            this.lastStepTaken = true;
            this.damping = Math.max(this.damping / this.dampingFactor, this.minDamping);
            break;
          }
        }
        this.damping *= this.dampingFactor;
      }
    } finally {
      if (!this.lastStepTaken) this.set(before, null);
    }
    return loss;
  }

  /** The closure's loss, checked: a one-element tensor, with a graph when one is wanted. */
  private evaluate(closure: () => Tensor, graph: boolean): Tensor {
    const l: unknown = closure();
    if (!(l instanceof Tensor) || l.size !== 1) {
      throw new Error(`DampedNewton: the closure must return the loss as a one-element tensor, got ${l instanceof Tensor ? `shape ${fmt(l.shape)}` : typeof l}`);
    }
    if (graph && !l.requiresGrad) throw new Error('DampedNewton: the closure\'s loss does not depend on the parameters (it has no graph; was it made inside noGrad?)');
    return l;
  }

  /** ∇loss over all parameters, flattened in order, as a graph (so that it can be differentiated again). */
  private gradient(loss: Tensor): Tensor {
    const gs = grad(loss, this.params, { createGraph: true, allowUnused: true });
    return cat(gs.map((g, i) => (g ?? Tensor.from(new Float64Array(this.params[i].size), [...this.params[i].shape])).reshape(-1)));
  }

  /** The Hessian, row k the gradient of g[k]: one backward pass per parameter. */
  private hessian(g: Tensor): Float64Array[] {
    const n = g.size, rows: Float64Array[] = [];
    for (let k = 0; k < n; k++) {
      const row = new Float64Array(n);
      if (g.requiresGrad) {
        const parts = grad(g.select(0, k), this.params, { retainGraph: true, allowUnused: true });
        let at = 0;
        parts.forEach((r, i) => { if (r !== null) row.set(r.data, at); at += this.params[i].size; });
      }
      rows.push(row);
    }
    return rows;
  }

  /** Parameters ← saved values (+ d, flattened in order). */
  private set(saved: Float64Array[], d: number[] | null): void {
    let at = 0;
    noGrad(() => this.params.forEach((p, i) => {
      const v = Float64Array.from(saved[i]);
      if (d !== null) for (let j = 0; j < v.length; j++) v[j] += d[at + j];
      at += v.length;
      p.copy_(Tensor.from(v, [...p.shape]));
    }));
  }

  /** Zero every parameter's .grad (the step itself leaves .grad alone). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/** x solving (H + λI)·x = b by Cholesky, or null when H + λI is not positive definite. */
function choleskySolve(H: readonly Float64Array[], lambda: number, b: readonly number[]): number[] | null {
  const n = b.length, L = H.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i][j] + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i][i] = Math.sqrt(s);
      } else {
        L[i][j] = s / L[j][j];
      }
    }
  }
  const y = new Array<number>(n), x = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}
