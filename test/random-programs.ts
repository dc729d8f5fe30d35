// Random programs for the property tests: a DAG of public ops over 1–3 leaf inputs whose shapes broadcast.
// fast-check draws raw choices (small integers, which shrink well); `compile` turns them into ops that fit
// the shapes at hand and keep finite differences valid: away from kinks (relu/abs at 0, clamp bounds, ties of
// max/min/maximum/minimum, the comparisons of where) and from domain edges (log, sqrt, div, pow near 0).
// A Program prints as a listing, so a failing (shrunk) case reads like a small piece of code.
import fc from 'fast-check';
import { maximum, minimum, noGrad, Tensor, where } from '../src/index.ts';

/** An op whose input lies closer than this to a kink is left out: the function is not smooth there. */
const MARGIN = 5e-3;
const MAX_SIZE = 256, MAX_ABS = 50, MAX_INPUT_SIZE = 48;
const CONSTANTS = [0.5, 2, -1.5, 0.75, 3];
const EXPONENTS = [2, 3, 0.5, -1, 1.5, -0.5];
const BOUNDS: [number, number][] = [[-0.5, 0.5], [-1, 1.5], [0.25, 2], [-Infinity, 0.5], [-0.75, Infinity]];

// ——— raw choices ———

export interface RawStep { op: number; a: number; b: number; c: number; d: number; p: number; retain: boolean }
export interface RawProgram { base: number[]; inputs: { rank: number; ones: number }[]; seed: number; steps: RawStep[]; second: boolean }

/** Seeded uniform numbers in [0, 1) (mulberry32): input values and output weights follow from one seed. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

// ——— the program ———

interface Node {
  args: number[];
  f: (xs: Tensor[]) => Tensor;
  text: string;
  shape: number[];
  retain: boolean;
}

export class Program {
  constructor(
    readonly inputs: { shape: number[]; data: Float64Array }[],
    readonly nodes: Node[],
    /** Values no node consumes: the output is their weighted sum (or the only one, as it is). */
    readonly sinks: number[],
    readonly seed: number,
    readonly second: boolean,
  ) {}

  /** Fresh leaf tensors that require grad, holding the input values. */
  leaves(): Tensor[] {
    return this.inputs.map((x) => Tensor.from(Float64Array.from(x.data), x.shape, { requiresGrad: true }));
  }

  /** Every value of the program (inputs, then nodes), with node k replaced by `override` when given. */
  trace(xs: Tensor[], override?: { k: number; value: Tensor }, retain = false): Tensor[] {
    const vals = [...xs];
    this.nodes.forEach((n, k) => {
      let v = override?.k === k ? override.value : n.f(n.args.map((i) => vals[i]));
      if (retain && n.retain && v.requiresGrad && !vals.includes(v)) v = v.retainGrad();
      vals.push(v);
    });
    return vals;
  }

  output(vals: Tensor[]): Tensor {
    if (this.sinks.length === 1) return vals[this.sinks[0]];
    return this.sinks.map((i) => vals[i].mul(weights(vals[i].shape, this.seed + i)).sum()).reduce((a, b) => a.add(b));
  }

  run(xs: Tensor[]): Tensor { return this.output(this.trace(xs)); }

  /** Σ|v| over the values summed into the output (times the largest weight): the scale of its rounding error. */
  magnitude(): number {
    const vals = noGrad(() => this.trace(this.leaves()));
    return 1.5 * this.sinks.reduce((m, i) => m + vals[i].data.reduce((t, v) => t + Math.abs(v), 0), 0);
  }

  name(i: number): string { return i < this.inputs.length ? `x${i}` : `v${i - this.inputs.length}`; }

  toString(): string {
    const num = (v: number): string => String(Number(v.toPrecision(4)));
    const values = (x: { shape: number[]; data: Float64Array }): string => (x.shape.length === 0 ? num(x.data[0]) : `[${Array.from(x.data, num).join(', ')}]`);
    const lines = this.inputs.map((x, i) => `  ${this.name(i)} ${fmt(x.shape)} = ${values(x)}`);
    this.nodes.forEach((n, k) => lines.push(`  ${this.name(this.inputs.length + k)} ${fmt(n.shape)} = ${n.text}${n.retain ? '   .retainGrad()' : ''}`));
    const out = this.sinks.length === 1 ? this.name(this.sinks[0]) : this.sinks.map((i) => `Σ(${this.name(i)}·W)`).join(' + ');
    lines.push(`  out = ${out}`);
    return `program (seed ${this.seed}, inputs U[-2,2] rounded here; W fixed weights in [0.5,1.5)${this.second ? '; also second order' : ''}):\n${lines.join('\n')}`;
  }

  [fc.toStringMethod](): string { return this.toString(); }
}

/** Fixed weights in [0.5, 1.5) of a shape, from a seed. */
export function weights(shape: readonly number[], seed: number): Tensor {
  const u = uniform(seed);
  return Tensor.from(Float64Array.from({ length: sizeOf(shape) }, () => 0.5 + u()), [...shape]);
}

// ——— kinks and domains ———

/**
 * Some value lies within MARGIN of a kink. Exact ties count too: relu(v − v) or the max of copies made by expand
 * would survive any perturbation, but expm1(log1p(x)) = x may be exact at x and not at x ± ε.
 */
const nearKink = (gaps: Iterable<number>): boolean => {
  for (const g of gaps) if (Math.abs(g) < MARGIN) return true;
  return false;
};
const diff = (a: Tensor, b: Tensor | number): Float64Array => a.sub(b).data;
const minOf = (t: Tensor): number => t.data.reduce((m, v) => Math.min(m, v), Infinity);
const maxAbs = (t: Tensor): number => t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** softplus(x) + 0.25 ≥ 0.25: a safe operand for log, sqrt, a divisor or the base of a power. */
const positive = (x: Tensor): Tensor => x.softplus().add(0.25);

/** Within each group reduced by max (or min), the gap between the best and the runner-up. */
function extremeGaps(x: Tensor, axes: number[], sign: 1 | -1): number[] {
  const groups = new Map<number, number[]>(), shape = x.shape, data = x.data;
  for (let i = 0; i < data.length; i++) {
    let rest = i, key = 0, scale = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (!axes.includes(d)) { key += (rest % shape[d]) * scale; scale *= shape[d]; }
      rest = Math.floor(rest / shape[d]);
    }
    groups.set(key, [...(groups.get(key) ?? []), sign * data[i]]);
  }
  return [...groups.values()].filter((g) => g.length > 1).map((g) => {
    g.sort((p, q) => q - p);
    return g[0] - g[1];
  });
}

// ——— ops ———

interface Ctx {
  vals: Tensor[];
  step: RawStep;
  /** A value counted back from the newest (k = 0: the last), so chains are the simplest programs. */
  pick(k: number): number;
}
interface Op { args: number[]; f: (xs: Tensor[]) => Tensor; text: (names: string[]) => string }
type Build = (c: Ctx) => Op | null;

const constant = (p: number): number => CONSTANTS[p % CONSTANTS.length];

/** The first value from pick(k) on whose shape broadcasts with `shape` (within MAX_SIZE), or null. */
function partner(c: Ctx, k: number, shape: readonly number[]): number | null {
  for (let j = 0; j < c.vals.length; j++) {
    const i = c.pick(k + j), s = broadcast(shape, c.vals[i].shape);
    if (s !== null && sizeOf(s) <= MAX_SIZE) return i;
  }
  return null;
}

const unary = (name: string, f: (x: Tensor) => Tensor): Build => (c) =>
  ({ args: [c.pick(c.step.a)], f: ([x]) => f(x), text: ([x]) => `${name}(${x})` });

/** log, sqrt, log1p: on x when x ≥ lo, else on softplus(x) + 0.25. */
const guarded = (name: string, f: (x: Tensor) => Tensor, lo: number): Build => (c) => {
  const i = c.pick(c.step.a);
  return minOf(c.vals[i]) >= lo
    ? { args: [i], f: ([x]) => f(x), text: ([x]) => `${name}(${x})` }
    : { args: [i], f: ([x]) => f(positive(x)), text: ([x]) => `${name}(softplus(${x}) + 0.25)` };
};

/** exp, expm1: of tanh(x) when x is large, so values stay moderate. */
const growing = (name: string, f: (x: Tensor) => Tensor): Build => (c) => {
  const i = c.pick(c.step.a);
  return minOf(c.vals[i].neg()) >= -3
    ? { args: [i], f: ([x]) => f(x), text: ([x]) => `${name}(${x})` }
    : { args: [i], f: ([x]) => f(x.tanh()), text: ([x]) => `${name}(tanh(${x}))` };
};

/** relu, abs: left out when some input is near 0. */
const kinked = (name: string, f: (x: Tensor) => Tensor): Build => (c) => {
  const i = c.pick(c.step.a);
  return nearKink(c.vals[i].data) ? null : { args: [i], f: ([x]) => f(x), text: ([x]) => `${name}(${x})` };
};

/** a op b, b a value that broadcasts with a or (when p says so, or none does) a constant. */
const binary = (name: string, f: (a: Tensor, b: Tensor | number) => Tensor, ok: (a: Tensor, b: Tensor | number) => boolean = () => true,
  safeB?: { f: (b: Tensor) => Tensor; text: (b: string) => string; needed: (b: Tensor) => boolean }): Build => (c) => {
  const i = c.pick(c.step.a), a = c.vals[i];
  const j = c.step.p % 4 === 0 ? null : partner(c, c.step.b, a.shape);
  if (j === null) {
    const k = constant(c.step.c);
    return ok(a, k) ? { args: [i], f: ([x]) => f(x, k), text: ([x]) => `${name}(${x}, ${k})` } : null;
  }
  if (!ok(a, c.vals[j])) return null;
  if (safeB !== undefined && safeB.needed(c.vals[j])) return { args: [i, j], f: ([x, y]) => f(x, safeB.f(y)), text: ([x, y]) => `${name}(${x}, ${safeB.text(y)})` };
  return { args: [i, j], f: ([x, y]) => f(x, y), text: ([x, y]) => `${name}(${x}, ${y})` };
};

const divisor = { f: positive, text: (b: string) => `softplus(${b}) + 0.25`, needed: (b: Tensor) => b.data.some((v) => Math.abs(v) < 0.25) };
const noTie = (a: Tensor, b: Tensor | number): boolean => !nearKink(diff(a, b));

/** a^b for a ≥ 0.25 (else softplus(a) + 0.25), b a constant exponent or a value in [−3, 3] away from 0. */
const power: Build = (c) => {
  const i = c.pick(c.step.a), a = c.vals[i], direct = minOf(a) >= 0.25;
  const base = (x: Tensor): Tensor => (direct ? x : positive(x));
  const baseText = (x: string): string => (direct ? x : `softplus(${x}) + 0.25`);
  const j = c.step.p % 2 === 0 ? null : partner(c, c.step.b, a.shape);
  if (j !== null && maxAbs(c.vals[j]) <= 3 && !nearKink(c.vals[j].data)) {
    return { args: [i, j], f: ([x, y]) => base(x).pow(y), text: ([x, y]) => `pow(${baseText(x)}, ${y})` };
  }
  const e = EXPONENTS[c.step.c % EXPONENTS.length];
  return { args: [i], f: ([x]) => base(x).pow(e), text: ([x]) => `pow(${baseText(x)}, ${e})` };
};

const clamp: Build = (c) => {
  const i = c.pick(c.step.a), [lo, hi] = BOUNDS[c.step.p % BOUNDS.length], x = c.vals[i];
  if (nearKink(diff(x, lo)) || nearKink(diff(x, hi))) return null;
  return { args: [i], f: ([v]) => v.clamp(lo, hi), text: ([v]) => `clamp(${v}, ${lo}, ${hi})` };
};

/** where(cmp(p, q), a, b): the mask is piecewise constant, so p − q must stay away from 0. */
const select: Build = (c) => {
  const cmps = ['gt', 'lt', 'ge', 'le'] as const, cmp = cmps[c.step.p % 4];
  const ip = c.pick(c.step.a), p = c.vals[ip];
  const iq = partner(c, c.step.d, p.shape), q: Tensor | number = iq === null ? constant(c.step.d) : c.vals[iq];
  const mask = p[cmp](q);
  const ia = partner(c, c.step.b, mask.shape);
  if (ia === null) return null;
  const shape = broadcast(mask.shape, c.vals[ia].shape)!;
  const ib = c.step.p % 3 === 0 ? null : partner(c, c.step.c, shape);
  if (nearKink(diff(p, q))) return null;
  const args = [ip, ...(iq === null ? [] : [iq]), ia, ...(ib === null ? [] : [ib])];
  const b = constant(c.step.c);
  return {
    args,
    f: (xs) => {
      const [vp, vq, va, vb] = iq === null ? [xs[0], q as number, xs[1], xs[2]] : xs;
      return where(vp[cmp](vq), va, ib === null ? b : vb);
    },
    text: (ns) => {
      const [np, nq, na, nb] = iq === null ? [ns[0], String(q), ns[1], ns[2]] : ns;
      return `where(${cmp}(${np}, ${nq}), ${na}, ${ib === null ? b : nb})`;
    },
  };
};

/** The reduced axes a raw p picks for a tensor of n dims: all (undefined), one (maybe negative), or a list. */
function axesOf(p: number, n: number): number | number[] | undefined {
  if (n === 0 || p % 3 === 0) return undefined;
  if (p % 3 === 1) {
    const ax = (p >> 2) % n;
    return (p >> 5) % 2 === 0 ? ax : ax - n;
  }
  const list = [...Array(n).keys()].filter((d) => ((p >> 2) >> d) & 1);
  return list.length === 0 ? [n - 1] : list;
}

const reduction = (name: 'sum' | 'mean' | 'max' | 'min'): Build => (c) => {
  const i = c.pick(c.step.a), x = c.vals[i], axis = axesOf(c.step.p, x.ndim), keepdim = ((c.step.p >> 7) & 1) === 1;
  if (name === 'max' || name === 'min') {
    const all = axis === undefined ? [...x.shape.keys()] : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.ndim : a));
    if (nearKink(extremeGaps(x, all, name === 'max' ? 1 : -1))) return null;
  }
  const shown = axis === undefined ? '' : `, ${Array.isArray(axis) ? `[${axis}]` : axis}`;
  return {
    args: [i],
    f: ([v]) => v[name](axis, keepdim),
    text: ([v]) => `${name}(${v}${shown}${keepdim ? (axis === undefined ? ', undefined, true' : ', true') : ''})`,
  };
};

/** A new shape of the same size: its prime factors dealt into up to 4 dims by p, some 1s, maybe a −1. */
const reshape: Build = (c) => {
  const i = c.pick(c.step.a), x = c.vals[i];
  const factors: number[] = [];
  for (let n = x.size, f = 2; n > 1; f++) while (n % f === 0) { factors.push(f); n /= f; }
  const rank = c.step.p % 5, dims = Array<number>(rank).fill(1);
  if (rank === 0 && factors.length > 0) return null;
  factors.forEach((f, k) => (dims[((c.step.p >> 3) + k * (c.step.d + 1)) % rank] *= f));
  if (rank > 0 && (c.step.p >> 6) % 3 === 0) dims[(c.step.p >> 8) % rank] = -1;
  return { args: [i], f: ([v]) => v.reshape(dims), text: ([v]) => `reshape(${v}, [${dims}])` };
};

/** The p-th permutation of the axes (Lehmer code). */
const permute: Build = (c) => {
  const i = c.pick(c.step.a), n = c.vals[i].ndim, left = [...Array(n).keys()], perm: number[] = [];
  for (let k = n, p = c.step.p; k > 0; k--) {
    perm.push(left.splice(p % k, 1)[0]);
    p = Math.floor(p / k);
  }
  return { args: [i], f: ([v]) => v.permute(perm), text: ([v]) => `permute(${v}, [${perm}])` };
};

const transpose: Build = (c) => {
  const i = c.pick(c.step.a);
  return c.vals[i].ndim !== 2 ? null : { args: [i], f: ([v]) => v.transpose(), text: ([v]) => `transpose(${v})` };
};

/** Size-1 dims grown to 2 or 3 by p, maybe a new leading dim, −1 for a kept dim now and then. */
const expand: Build = (c) => {
  const i = c.pick(c.step.a), x = c.vals[i], p = c.step.p;
  const dims = x.shape.map((d, k) => (d === 1 ? 1 + ((p >> k) % 3) : (p >> (k + 4)) % 2 === 0 ? d : -1));
  if ((p >> 8) % 2 === 1) dims.unshift(2);
  const to = dims.map((d, k) => (d === -1 ? x.shape[k - (dims.length - x.ndim)] : d));
  if (sizeOf(to) > MAX_SIZE) return null;
  return { args: [i], f: ([v]) => v.expand(dims), text: ([v]) => `expand(${v}, [${dims}])` };
};

const swapLast = (t: Tensor): Tensor => (t.ndim === 2 ? t.transpose() : t.permute([...Array(t.ndim - 2).keys(), t.ndim - 1, t.ndim - 2]));

/** a·b with a value b (or bᵀ over the last two dims) whose inner and batch dims fit. */
const matmul: Build = (c) => {
  const i = c.pick(c.step.a), a = c.vals[i];
  if (a.ndim < 2) return null;
  for (let j = 0; j < c.vals.length; j++) {
    const k = c.pick(c.step.b + j), b = c.vals[k];
    if (b.ndim < 2 || broadcast(a.shape.slice(0, -2), b.shape.slice(0, -2)) === null) continue;
    const inner = a.shape[a.ndim - 1];
    if (b.shape[b.ndim - 2] === inner) return { args: [i, k], f: ([x, y]) => x.matmul(y), text: ([x, y]) => `matmul(${x}, ${y})` };
    if (b.shape[b.ndim - 1] === inner) return { args: [i, k], f: ([x, y]) => x.matmul(swapLast(y)), text: ([x, y]) => `matmul(${x}, ${y}ᵀ)` };
  }
  return null;
};

const OPS: Build[] = [
  binary('add', (a, b) => a.add(b)),
  binary('mul', (a, b) => a.mul(b)),
  binary('sub', (a, b) => a.sub(b)),
  binary('div', (a, b) => a.div(b), () => true, divisor),
  power,
  unary('neg', (x) => x.neg()),
  growing('exp', (x) => x.exp()),
  guarded('log', (x) => x.log(), 0.25),
  unary('sigmoid', (x) => x.sigmoid()),
  unary('tanh', (x) => x.tanh()),
  kinked('relu', (x) => x.relu()),
  kinked('abs', (x) => x.abs()),
  guarded('sqrt', (x) => x.sqrt(), 0.25),
  unary('square', (x) => x.square()),
  unary('sin', (x) => x.sin()),
  unary('cos', (x) => x.cos()),
  guarded('log1p', (x) => x.log1p(), -0.75),
  growing('expm1', (x) => x.expm1()),
  unary('softplus', (x) => x.softplus()),
  clamp,
  binary('maximum', (a, b) => maximum(a, b), noTie),
  binary('minimum', (a, b) => minimum(a, b), noTie),
  select,
  reduction('sum'),
  reduction('mean'),
  reduction('max'),
  reduction('min'),
  reshape,
  permute,
  transpose,
  expand,
  matmul,
];

/** Input shapes: right-aligned parts of one base shape, a dim set to 1 where two bits of `ones` are, so that all
 * of them broadcast. */
function inputShapes(raw: RawProgram): number[][] {
  const base: number[] = [];
  for (const d of [...raw.base].reverse()) base.unshift(sizeOf(base) * d <= MAX_INPUT_SIZE ? d : 1);
  return raw.inputs.map(({ rank, ones }) => base.slice(base.length - Math.min(rank, base.length)).map((d, k) => (((ones >> (2 * k)) & 3) === 3 ? 1 : d)));
}

/** The program the raw choices describe: steps that do not fit (shapes, kinks, size, magnitude) are left out. */
export function compile(raw: RawProgram): Program {
  const u = uniform(raw.seed);
  const inputs = inputShapes(raw).map((shape) => ({ shape, data: Float64Array.from({ length: sizeOf(shape) }, () => 4 * u() - 2) }));
  const vals = inputs.map((x) => Tensor.from(x.data, x.shape));
  const nodes: Node[] = [];
  const names = (args: number[]): string[] => args.map((i) => (i < inputs.length ? `x${i}` : `v${i - inputs.length}`));
  noGrad(() => {
    for (const step of raw.steps) {
      const ctx: Ctx = { vals, step, pick: (k) => vals.length - 1 - (k % vals.length) };
      const op = OPS[step.op % OPS.length](ctx);
      if (op === null) continue;
      const y = op.f(op.args.map((i) => vals[i]));
      if (y.size > MAX_SIZE || !(maxAbs(y) <= MAX_ABS)) continue;
      vals.push(y);
      nodes.push({ args: op.args, f: op.f, text: op.text(names(op.args)), shape: [...y.shape], retain: step.retain });
    }
  });
  const used = new Set(nodes.flatMap((n) => n.args));
  const sinks = vals.map((_, i) => i).filter((i) => !used.has(i));
  return new Program(inputs, nodes, sinks, raw.seed, raw.second);
}

const step = fc.record({
  // Operands a and b lean towards the newest values (fast-check's bias to small numbers): deeper chains.
  op: fc.noBias(fc.nat(OPS.length - 1)), a: fc.nat(15), b: fc.nat(15), c: fc.noBias(fc.nat(15)), d: fc.noBias(fc.nat(15)), p: fc.noBias(fc.nat(511)),
  retain: fc.nat(3).map((n) => n === 3),
});

/** Programs of 1–10 steps over 1–3 inputs; about one in four is also checked to second order. */
export const programs: fc.Arbitrary<Program> = fc.record({
  base: fc.noBias(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 4, size: 'max' })),
  inputs: fc.array(fc.noBias(fc.record({ rank: fc.nat(4), ones: fc.nat(255) })), { minLength: 1, maxLength: 3 }),
  seed: fc.nat(),
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
  second: fc.nat(3).map((n) => n === 3),
}).map(compile);
