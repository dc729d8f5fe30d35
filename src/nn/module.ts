// Modules: parameters found by walking fields, like PyTorch's nn.Module.
import { dropout, noGrad, Tensor, type RandomState } from '../autograd/index.ts';
import { flagOf, optionsOf, rngOf, what } from '../autograd/options.ts';
import { show } from '../tensor/shape.ts';

/**
 * A module's state as plain JSON-serialisable data ({@link Module.stateDict}): each parameter's and buffer's name → its
 * shape and its values, row-major.
 */
export type StateDict = Record<string, {
  /** The tensor's shape. */
  shape: number[];
  /** Its values, row-major. */
  data: number[];
}>;
/** What loadStateDict takes: a StateDict, or the same with Float64Array values. */
export type StateDictInput = Record<string, {
  /** The tensor's shape. */
  shape: readonly number[];
  /** Its values, row-major. */
  data: readonly number[] | Float64Array;
}>;

const PARAMETERS = new WeakSet<Tensor>();
/** How a buffer is stored in files: int64 for counts (PyTorch's num_batches_tracked), else as the parameters. */
export type BufferDtype = 'float64' | 'int64';
const BUFFERS = new WeakMap<Tensor, BufferDtype>();
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Register a leaf tensor as a parameter (like PyTorch's nn.Parameter) and return it: modules report it, optimizers
 * update it and state dicts hold it whether or not it currently requires grad (so a frozen layer is still saved).
 * It is made to require grad, unless `opts.requiresGrad` is false. A leaf tensor field that requires grad when a
 * module is first asked for its parameters is registered too.
 *
 * @example
 * ```ts
 * class Scale extends nn.Module {
 *   s = nn.parameter(tensor([2]));
 *   forward(x) { return x.mul(this.s); }
 * }
 * const m = new Scale();
 * m.call(tensor([1, 3])) // [2, 6]
 * m.stateDict() // { s: { shape: [1], data: [2] } }
 * ```
 */
export function parameter(t: Tensor, opts?: { requiresGrad?: boolean }): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`parameter: expected a tensor, got ${what(t)}`);
  const requiresGrad = flagOf('parameter', 'requiresGrad', optionsOf('parameter', opts).requiresGrad, true);
  if (!t.isLeaf) throw new Error(`parameter: tensor of shape ${fmt(t.shape)} was made by '${t.gradFn!.name}'; a parameter must be a leaf (use detach())`);
  if (BUFFERS.has(t)) throw new Error(`parameter: tensor of shape ${fmt(t.shape)} is a buffer; a tensor is one or the other`);
  t.requiresGrad = requiresGrad;
  PARAMETERS.add(t);
  return t;
}

/**
 * Register a tensor as a buffer (PyTorch's `register_buffer`) and return it: state a module keeps and saves but does
 * not train, such as batch norm's running statistics. A module reports it in `namedBuffers()`, and state dicts and
 * safetensors files hold it beside the parameters; optimizers never see it. The module changes it in place (under
 * noGrad), usually only in training mode (`this.training`). `opts.dtype` 'int64' marks a count: the tensor holds
 * float64 values like every tensor here, but files store it as I64, as PyTorch does.
 *
 * @example
 * ```ts
 * class Counter extends nn.Module {
 *   calls = nn.buffer(zeros([1]), { dtype: 'int64' });
 *   forward(x) { if (this.training) noGrad(() => this.calls.add_(1)); return x; }
 * }
 * const m = new Counter();
 * m.call(ones([2])); m.call(ones([2]));
 * m.stateDict() // { calls: { shape: [1], data: [2] } }
 * m.parameters().length // 0
 * ```
 */
export function buffer(t: Tensor, opts?: { dtype?: BufferDtype }): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`buffer: expected a tensor, got ${what(t)}`);
  const { dtype = 'float64' } = optionsOf('buffer', opts);
  if (dtype !== 'float64' && dtype !== 'int64') throw new Error(`buffer: dtype must be 'float64' or 'int64', got ${what(dtype)}`);
  if (t.requiresGrad || PARAMETERS.has(t)) {
    throw new Error(`buffer: tensor of shape ${fmt(t.shape)} ${t.requiresGrad ? 'requires grad' : 'is a parameter'}; a buffer is state that is not trained`);
  }
  BUFFERS.set(t, dtype);
  return t;
}

/** @internal how files store a buffer ('int64' or 'float64'), or undefined for a tensor that is not one. */
export const bufferDtype = (t: Tensor): BufferDtype | undefined => BUFFERS.get(t);

/** Throw unless an axis given to a module is an integer (its range is checked against each input). */
function checkAxis(module: string, name: string, axis: unknown): void {
  if (!Number.isInteger(axis)) throw new Error(`${module}: ${name} must be an integer, got ${what(axis)}`);
}

/** A module of any input and output types, as the field walks find them. */
export type AnyModule = Module<any[], unknown>;

const isBuffer = (t: unknown): t is Tensor => t instanceof Tensor && BUFFERS.has(t);
const isParameter = (t: unknown): t is Tensor =>
  t instanceof Tensor && !BUFFERS.has(t) && (PARAMETERS.has(t) || (t.isLeaf && t.requiresGrad && (PARAMETERS.add(t), true)));

/** A module's parameters and buffers as its state dict lists them, each tensor once. */
interface Entry { name: string; tensor: Tensor; isBuffer: boolean }

/**
 * PyTorch's state_dict order: a module's own parameters (its tensor fields, in order), then its own buffers, then the
 * same for each child module (fields holding modules or arrays), depth first.
 */
function entriesOf(root: AnyModule): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<Tensor>();
  const visit = (fields: [string, unknown][], prefix: string): void => {
    const name = (key: string): string => (prefix === '' ? key : `${prefix}.${key}`);
    for (const buffers of [false, true]) {
      for (const [key, v] of fields) {
        if ((buffers ? isBuffer(v) : isParameter(v)) && !seen.has(v as Tensor)) {
          seen.add(v as Tensor);
          out.push({ name: name(key), tensor: v as Tensor, isBuffer: buffers });
        }
      }
    }
    for (const [key, v] of fields) {
      if (v instanceof Module) visit(Object.entries(v), name(key));
      else if (Array.isArray(v)) visit(v.map((x, i) => [String(i), x]), name(key)); // as PyTorch's ModuleList and ParameterList
    }
  };
  visit(Object.entries(root), '');
  return out;
}

/**
 * The base of every layer and model, as PyTorch's nn.Module: a subclass computes `forward(x)` and keeps its
 * parameters and child modules in fields (also in arrays and {@link ModuleList}s), where `parameters()`,
 * `stateDict()`, `train()`/`eval()` and `toString()` find them by walking the fields.
 *
 * @example
 * ```ts
 * class MLP extends nn.Module {
 *   hidden = new nn.Linear(2, 4, { rng: new RandomState(0) });
 *   out = new nn.Linear(4, 1, { rng: new RandomState(1) });
 *   forward(x) { return this.out.call(this.hidden.call(x).relu()); }
 * }
 * const mlp = new MLP();
 * mlp.call(zeros([5, 2])).shape // [5, 1]
 * mlp.namedParameters().map(([name]) => name) // ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
 * ```
 */
export abstract class Module<In extends unknown[] = [x: Tensor], Out = Tensor> {
  /** Whether the module is in training mode (the default) rather than evaluation mode: see train and eval. */
  training = true;

  /** The module's output for its inputs (what `call` runs): one tensor in and one out, unless the subclass says
   *  otherwise in its type parameters (a recurrent layer takes an input and a state, and returns both). */
  abstract forward(...inputs: In): Out;

  /** Shorthand for forward(…inputs) (a class instance cannot be called like a function in JS); the first input
   *  must be a tensor. */
  call(...inputs: In): Out {
    if (!(inputs[0] instanceof Tensor)) throw new Error(`${this.constructor.name}.call: expected a tensor, got ${what(inputs[0])}`);
    return this.forward(...inputs);
  }

  /**
   * The parameters under dotted names (`0.weight`, `hidden.bias`, `layers.1.weight`), each tensor once, in PyTorch's
   * order: a module's own parameters (fields in order) before those of its child modules, depth first.
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1)).namedParameters().map(([name, p]) => `${name} ${p.shape}`) // ['0.weight 2,3', '0.bias 3', '2.weight 3,1', '2.bias 1']
   * ```
   */
  namedParameters(): [string, Tensor][] {
    return entriesOf(this).filter((e) => !e.isBuffer).map((e) => [e.name, e.tensor]);
  }

  /**
   * The parameters (of this module and those below it), in namedParameters order: what an optimizer updates.
   *
   * @example
   * ```ts
   * new nn.Linear(3, 2).parameters().map((p) => p.shape) // [[3, 2], [2]]
   * ```
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * The buffers (see {@link buffer}) under dotted names, in the order of namedParameters: state that is saved but
   * not trained, such as batch norm's running statistics.
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)).namedBuffers().map(([name]) => name) // ['1.running_mean', '1.running_var', '1.num_batches_tracked']
   * ```
   */
  namedBuffers(): [string, Tensor][] {
    return entriesOf(this).filter((e) => e.isBuffer).map((e) => [e.name, e.tensor]);
  }

  /**
   * The buffers (of this module and those below it), in namedBuffers order.
   *
   * @example
   * ```ts
   * new nn.BatchNorm2d(3).buffers().map((b) => b.shape) // [[3], [3], []]
   * ```
   */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /**
   * This module and every module below it, depth first.
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh()).modules().map((m) => m.constructor.name) // ['Sequential', 'Linear', 'Tanh']
   * ```
   */
  modules(): AnyModule[] {
    const out: AnyModule[] = [];
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

  /** Set the `.grad` of every parameter to zeros (those that have one). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** The settings shown between the parentheses of toString (PyTorch's extra_repr), e.g. `in=3, out=4, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /**
   * The structure as PyTorch prints it: `Name(settings)`, or the child modules one per line, `(key): Child(…)`.
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid()).toString() // 'Sequential(\n  (0): Linear(in=2, out=1, bias=true)\n  (1): Sigmoid()\n)'
   * ```
   */
  toString(): string {
    const settings = this.extraRepr(), lines = settings === '' ? [] : settings.split('\n'), extra = lines.length;
    const child = (key: string, m: AnyModule): void => { lines.push(`(${key}): ${m.toString().replaceAll('\n', '\n  ')}`); };
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

  /**
   * Set training mode (the default; `on` false for evaluation mode) for this module and all below it; returns this
   * module. Dropout acts only in training mode.
   */
  train(on = true): this {
    flagOf('train', 'on', on, true);
    for (const m of this.modules()) m.training = on;
    return this;
  }
  /**
   * Set evaluation mode for this module and all below it (train(false)); returns this module.
   *
   * @example
   * ```ts
   * const drop = new nn.Dropout(0.5);
   * drop.eval().call(ones([3])) // [1, 1, 1]
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Every parameter (frozen ones too) and every buffer by name, in PyTorch's state_dict order (per module its
   * parameters, then its buffers, depth first): shape and values as plain arrays, ready for JSON.stringify;
   * {@link Module.loadStateDict} reads it back.
   *
   * @example
   * ```ts
   * new nn.Linear(2, 1, { bias: false, rng: new RandomState(1) }).stateDict() // { weight: { shape: [2, 1], data: [-0.165956, 0.440649] } }
   * Object.keys(new nn.BatchNorm1d(2).stateDict()) // ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
   * ```
   */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, t] of namedState(this)) dict[name] = { shape: [...t.shape], data: Array.from(t.data) };
    return dict;
  }

  /**
   * Copy saved values (a {@link StateDict}, e.g. parsed from JSON, or the same with Float64Array data) into the
   * parameters and buffers, in place; every name must be there with its shape, and nothing else.
   *
   * @example
   * ```ts
   * const a = new nn.Linear(2, 1), b = new nn.Linear(2, 1);
   * b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
   * b.weight.toArray().join() === a.weight.toArray().join() // true
   * ```
   */
  loadStateDict(dict: StateDictInput): void {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
      throw new Error(`loadStateDict: expected an object of { shape, data } entries, got ${dict === null ? 'null' : Array.isArray(dict) ? 'an array' : typeof dict}`);
    }
    const state = namedState(this);
    const values = state.map(([name, p]) => {
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
    const known = new Set(state.map(([name]) => name));
    const extra = Object.keys(dict).filter((k) => !known.has(k));
    if (extra.length > 0) throw new Error(`loadStateDict: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`);
    noGrad(() => state.forEach(([, p], k) => p.copy_(values[k])));
  }
}

/** @internal a module's parameters and buffers by name, in state dict order (what stateDict and the files hold). */
export const namedState = (m: AnyModule): [string, Tensor][] => entriesOf(m).map((e) => [e.name, e.tensor]);

/** Modules applied in order; children live at keys '0', '1', … so parameter names read `0.weight`. */
class SequentialModule<Ms extends Module[] = Module[]> extends Module {
  /** The child modules by position: `model[0]`. */
  [index: number]: Module;
  /** The number of child modules. */
  readonly length: number;

  /** The modules, applied in this order. */
  constructor(...layers: Ms) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: layer ${i} is not a Module, got ${what(m)}`);
      this[i] = m;
    });
    this.length = layers.length;
  }

  /** x through each module in turn. */
  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.length; i++) x = this[i].forward(x);
    return x;
  }

  /** The child modules in order (`for (const layer of model)`). */
  *[Symbol.iterator](): IterableIterator<Ms[number]> {
    for (let i = 0; i < this.length; i++) yield this[i] as Ms[number];
  }
}

/** Each child at its index with its own type: `new Sequential(new Linear(2, 3), new ReLU())[0].weight` type-checks. */
type Children<Ms extends Module[]> = { readonly [K in keyof Ms as K extends `${number}` ? K : never]: Ms[K] };
/** A Sequential of the modules Ms: each child at its index with its own type. */
export type Sequential<Ms extends Module[] = Module[]> = SequentialModule<Ms> & Children<Ms>;
// A class cannot declare per-index member types, so the constructor is typed here (instanceof and extends still work).
Object.defineProperty(SequentialModule, 'name', { value: 'Sequential' }); // as toString and errors show it
/**
 * Modules applied in order, as PyTorch's nn.Sequential: `forward(x)` runs x through each in turn. The children live
 * at keys '0', '1', …, each with its own type (`model[0].weight` type-checks for a Linear), so parameter names read
 * `0.weight`; a Sequential is iterable and has a `length`.
 *
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
 * model.call(zeros([2, 3])).shape // [2, 1]
 * model[0].weight.shape // [3, 4]
 * model.length // 3
 * ```
 *
 * @class
 */
export const Sequential = SequentialModule as unknown as {
  /** A Sequential of the modules `layers`, applied in this order. */
  new <const Ms extends Module[] = Module[]>(...layers: Ms): Sequential<Ms>;
  prototype: SequentialModule;
};

/**
 * Modules held in a list (PyTorch's ModuleList): their parameters are found, under `key.0.weight`, …; it has no
 * forward (call its modules in your own).
 *
 * @example
 * ```ts
 * const layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
 * layers.append(new nn.Linear(2, 1)).length // 3
 * let x = ones([1, 2]);
 * for (const layer of layers) x = layer.call(x);
 * x.shape // [1, 1]
 * ```
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module {
  /** The modules by position: `list[0]`. */
  [index: number]: M;
  /** The number of modules. */
  length = 0;

  /** A list of the given modules (none by default). */
  constructor(modules: Iterable<M> = []) {
    super();
    if (typeof (modules as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function' || typeof modules === 'string') {
      throw new Error(`ModuleList: expected an array (or iterable) of modules, got ${what(modules)}`);
    }
    for (const m of modules) this.append(m);
  }

  /** Add a module at the end; returns the list. */
  append(m: M): this {
    if (!(m instanceof Module)) throw new Error(`ModuleList: entry ${this.length} is not a Module, got ${what(m)}`);
    this[this.length++] = m;
    return this;
  }

  /** Throws: a ModuleList has no forward of its own; call its modules (`for (const m of list) x = m.call(x)`). */
  forward(): Tensor {
    throw new Error('ModuleList: has no forward; call its modules (for (const m of list) x = m.call(x))');
  }

  /** The modules in order. */
  *[Symbol.iterator](): IterableIterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }
}

/**
 * The logistic function σ(x) = 1 / (1 + e^−x), elementwise ({@link Tensor.sigmoid}), as a module.
 *
 * @example
 * ```ts
 * new nn.Sigmoid().call(tensor([0])) // [0.5]
 * ```
 */
export class Sigmoid extends Module {
  /** σ(x), elementwise. */
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}
/**
 * tanh, elementwise ({@link Tensor.tanh}), as a module.
 *
 * @example
 * ```ts
 * new nn.Tanh().call(tensor([0, 1])) // [0, 0.761594]
 * ```
 */
export class Tanh extends Module {
  /** tanh(x), elementwise. */
  forward(x: Tensor): Tensor { return x.tanh(); }
}
/**
 * max(x, 0), elementwise ({@link Tensor.relu}), as a module.
 *
 * @example
 * ```ts
 * new nn.ReLU().call(tensor([-1, 2])) // [0, 2]
 * ```
 */
export class ReLU extends Module {
  /** max(x, 0), elementwise. */
  forward(x: Tensor): Tensor { return x.relu(); }
}

/**
 * softmax along `axis` (default the last; {@link Tensor.softmax}), as a module.
 *
 * @example
 * ```ts
 * new nn.Softmax().call(tensor([[0, Math.log(3)]])) // [[0.25, 0.75]]
 * ```
 */
export class Softmax extends Module {
  /**
   * Softmax along `axis`.
   *
   * @param axis The axis the probabilities add up along (default −1, the last).
   */
  constructor(readonly axis = -1) { super(); checkAxis('Softmax', 'axis', axis); }
  /** softmax(x) along the axis. */
  forward(x: Tensor): Tensor { return x.softmax(this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}
/**
 * log softmax along `axis` (default the last; {@link Tensor.logSoftmax}), as a module: feed it to nllLoss, or give
 * crossEntropyLoss the logits.
 *
 * @example
 * ```ts
 * new nn.LogSoftmax(0).call(tensor([0, 0])) // [-0.693147, -0.693147]
 * ```
 */
export class LogSoftmax extends Module {
  /**
   * Log softmax along `axis`.
   *
   * @param axis The axis it normalises along (default −1, the last).
   */
  constructor(readonly axis = -1) { super(); checkAxis('LogSoftmax', 'axis', axis); }
  /** logSoftmax(x) along the axis. */
  forward(x: Tensor): Tensor { return x.logSoftmax(this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}
/**
 * The axes from startAxis (default 1: a batch stays a batch) to endAxis (default the last) merged into one
 * ({@link Tensor.flatten}), as a module.
 *
 * @example
 * ```ts
 * new nn.Flatten().call(zeros([8, 2, 3])).shape // [8, 6]
 * ```
 */
export class Flatten extends Module {
  /**
   * Merge the axes from startAxis to endAxis.
   *
   * @param startAxis The first axis merged (default 1).
   * @param endAxis The last axis merged (default −1, the last).
   */
  constructor(readonly startAxis = 1, readonly endAxis = -1) {
    super();
    checkAxis('Flatten', 'startAxis', startAxis);
    checkAxis('Flatten', 'endAxis', endAxis);
  }
  /** x with the axes merged (a view). */
  forward(x: Tensor): Tensor { return x.flatten(this.startAxis, this.endAxis); }
  override extraRepr(): string { return `startAxis=${this.startAxis}, endAxis=${this.endAxis}`; }
}

/**
 * In training mode, each element zeroed with probability p and the rest scaled by 1/(1 − p), the mask drawn from
 * `rng` (default: the global generator at the time of the call, see manualSeed); the identity in eval mode.
 *
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.5, { rng: new RandomState(0) });
 * drop.call(ones([8])) // [0, 0, 0, 0, 2, 0, 2, 0]
 * drop.eval().call(ones([2])) // [1, 1]
 * ```
 */
export class Dropout extends Module {
  /** The probability of zeroing an element. */
  readonly p: number;
  /** The generator the masks are drawn from (undefined: the global one). */
  readonly rng: RandomState | undefined;
  /** Dropout with probability `p` (default 0.5), drawing from `opts.rng` (default the global generator). */
  constructor(p = 0.5, opts?: { rng?: RandomState }) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be a probability in [0, 1], got ${show(p)}`);
    const { rng } = optionsOf('Dropout', opts);
    if (rng !== undefined) rngOf('Dropout', rng);
    this.p = p;
    this.rng = rng;
  }
  /** x with a dropout mask applied in training mode; x itself in eval mode. */
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, { rng: this.rng }) : x;
  }
  override extraRepr(): string { return `p=${this.p}`; }
}
