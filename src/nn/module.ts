// Modules: parameters found by walking fields, like PyTorch's nn.Module.
import { dropout, noGrad, Tensor, type RandomState } from '../autograd/index.ts';

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

const isParameter = (t: unknown): t is Tensor =>
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

  /** The settings shown between the parentheses of toString (PyTorch's extra_repr), e.g. `in=3, out=4, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /** The structure as PyTorch prints it: `Name(settings)`, or the child modules one per line, `(key): Child(…)`. */
  toString(): string {
    const settings = this.extraRepr(), lines = settings === '' ? [] : settings.split('\n'), extra = lines.length;
    const child = (key: string, m: Module): void => { lines.push(`(${key}): ${m.toString().replaceAll('\n', '\n  ')}`); };
    for (const [key, v] of Object.entries(this)) {
      if (v instanceof Module) child(key, v);
      else if (Array.isArray(v)) v.forEach((m, i) => { if (m instanceof Module) child(`${key}.${i}`, m); });
    }
    const body = lines.length === 0 ? '' : extra === 1 && lines.length === 1 ? lines[0] : `\n  ${lines.join('\n  ')}\n`;
    return `${this.constructor.name}(${body})`;
  }

  /** What console.log shows in Node: the structure (a symbol, so no import of node:util). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
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
class SequentialModule<Ms extends Module[] = Module[]> extends Module {
  [index: number]: Module;
  readonly length: number;

  constructor(...layers: Ms) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: layer ${i} is not a Module, got ${m === null ? 'null' : typeof m}`);
      this[i] = m;
    });
    this.length = layers.length;
  }

  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.length; i++) x = this[i].forward(x);
    return x;
  }

  *[Symbol.iterator](): IterableIterator<Ms[number]> {
    for (let i = 0; i < this.length; i++) yield this[i] as Ms[number];
  }
}

/** Each child at its index with its own type: `new Sequential(new Linear(2, 3), new ReLU())[0].weight` type-checks. */
type Children<Ms extends Module[]> = { readonly [K in keyof Ms as K extends `${number}` ? K : never]: Ms[K] };
export type Sequential<Ms extends Module[] = Module[]> = SequentialModule<Ms> & Children<Ms>;
// A class cannot declare per-index member types, so the constructor is typed here (instanceof and extends still work).
Object.defineProperty(SequentialModule, 'name', { value: 'Sequential' }); // as toString and errors show it
export const Sequential = SequentialModule as unknown as {
  new <const Ms extends Module[] = Module[]>(...layers: Ms): Sequential<Ms>;
  prototype: SequentialModule;
};

/** Modules held in a list (PyTorch's ModuleList): their parameters are found, under `key.0.weight`, …; it has no forward. */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;
  length = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: M): this {
    if (!(m instanceof Module)) throw new Error(`ModuleList: entry ${this.length} is not a Module, got ${m === null ? 'null' : typeof m}`);
    this[this.length++] = m;
    return this;
  }

  forward(): Tensor {
    throw new Error('ModuleList: has no forward; call its modules (for (const m of list) x = m.call(x))');
  }

  *[Symbol.iterator](): IterableIterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i];
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

/** softmax along `axis` (default the last). */
export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}
/** log softmax along `axis` (default the last): feed it to nllLoss, or give crossEntropyLoss the logits. */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}
/** The axes from startAxis (default 1: a batch stays a batch) to endAxis merged into one. */
export class Flatten extends Module {
  constructor(readonly startAxis = 1, readonly endAxis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.startAxis, this.endAxis); }
  override extraRepr(): string { return `startAxis=${this.startAxis}, endAxis=${this.endAxis}`; }
}

/**
 * In training mode, each element zeroed with probability p and the rest scaled by 1/(1 − p), the mask drawn from
 * `rng` (default: the global generator at the time of the call, see manualSeed); the identity in eval mode.
 */
export class Dropout extends Module {
  readonly p: number;
  readonly rng: RandomState | undefined;
  constructor(p = 0.5, opts: { rng?: RandomState } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be a probability in [0, 1], got ${String(p)}`);
    this.p = p;
    this.rng = opts.rng;
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, { rng: this.rng }) : x;
  }
  override extraRepr(): string { return `p=${this.p}`; }
}
