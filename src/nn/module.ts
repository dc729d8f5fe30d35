// Modules: parameters found by walking fields, like PyTorch's nn.Module.
import { noGrad, Tensor } from '../autograd/index.ts';

/** Plain JSON-serialisable weights: name → shape and values. */
export type StateDict = Record<string, { shape: number[]; data: number[] }>;
/** What loadStateDict takes: a StateDict, or the same with Float64Array values. */
export type StateDictInput = Record<string, { shape: readonly number[]; data: readonly number[] | Float64Array }>;

const PARAMETERS = new WeakSet<Tensor>();
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Register a leaf tensor as a parameter (like PyTorch's nn.Parameter): modules report it, optimizers update it
 * and state dicts hold it whether or not it currently requires grad (so a frozen layer is still saved).
 * A leaf tensor field that requires grad when a module is first asked for its parameters is registered too.
 */
export function parameter(t: Tensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`parameter: expected a tensor, got ${t === null ? 'null' : typeof t}`);
  if (!t.isLeaf) throw new Error(`parameter: tensor of shape ${fmt(t.shape)} was made by '${t.gradFn!.name}'; a parameter must be a leaf (use detach())`);
  t.requiresGrad = opts.requiresGrad ?? true;
  PARAMETERS.add(t);
  return t;
}

export const isParameter = (t: unknown): t is Tensor =>
  t instanceof Tensor && (PARAMETERS.has(t) || (t.isLeaf && t.requiresGrad && (PARAMETERS.add(t), true)));

export abstract class Module {
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Shorthand for forward(x) (a class instance cannot be called like a function in JS). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** Parameters under dotted names (`0.weight`), depth first in field order, each tensor once. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const visit = (value: unknown, name: string): void => {
      if (isParameter(value)) {
        if (!seen.has(value)) {
          seen.add(value);
          out.push([name, value]);
        }
      } else if (value instanceof Module) {
        for (const [key, v] of Object.entries(value)) visit(v, name === '' ? key : `${name}.${key}`);
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => visit(v, `${name}.${i}`));
      }
    };
    visit(this, '');
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  modules(): Module[] {
    const out: Module[] = [];
    const visit = (value: unknown): void => {
      if (value instanceof Module) {
        out.push(value);
        Object.values(value).forEach(visit);
      } else if (Array.isArray(value)) {
        value.forEach(visit);
      }
    };
    visit(this);
    return out;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Training mode (the default) or evaluation mode, for this module and all below it. */
  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Every parameter (frozen ones too) by name: shape and values. */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, p] of this.namedParameters()) dict[name] = { shape: [...p.shape], data: Array.from(p.data) };
    return dict;
  }

  /** Copy saved values into the parameters in place; every name must be present with its shape, and nothing else. */
  loadStateDict(dict: StateDictInput): void {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
      throw new Error(`loadStateDict: expected an object of { shape, data } entries, got ${dict === null ? 'null' : Array.isArray(dict) ? 'an array' : typeof dict}`);
    }
    const params = this.namedParameters();
    const values = params.map(([name, p]) => {
      const entry = dict[name];
      if (entry === undefined) throw new Error(`loadStateDict: missing key '${name}' (expected shape ${fmt(p.shape)})`);
      const ok = typeof entry === 'object' && entry !== null && Array.isArray(entry.shape) &&
        (entry.data instanceof Float64Array || (Array.isArray(entry.data) && entry.data.every((v) => typeof v === 'number')));
      if (!ok) throw new Error(`loadStateDict: '${name}' must be { shape: number[], data: number[] } (JSON keeps only finite numbers)`);
      if (entry.shape.length !== p.ndim || entry.shape.some((d, i) => d !== p.shape[i]) || entry.data.length !== p.size) {
        throw new Error(`loadStateDict: '${name}' has shape ${fmt(entry.shape)} with ${entry.data.length} values, expected ${fmt(p.shape)}`);
      }
      return Tensor.from(Float64Array.from(entry.data), p.shape);
    });
    const known = new Set(params.map(([name]) => name));
    const extra = Object.keys(dict).filter((k) => !known.has(k));
    if (extra.length > 0) throw new Error(`loadStateDict: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`);
    noGrad(() => params.forEach(([, p], k) => p.copy_(values[k])));
  }
}

/** Modules applied in order; children live at keys '0', '1', … so parameter names read `0.weight`. */
export class Sequential extends Module {
  [index: number]: Module;
  readonly length: number;

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => (this[i] = m));
    this.length = layers.length;
  }

  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.length; i++) x = this[i].forward(x);
    return x;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}
