// Modules: parameters found by walking fields, like PyTorch's nn.Module.
import { Tensor } from '../tensor/tensor.ts';
import { fmt, sameShape } from '../tensor/shape.ts';

/** Plain JSON-serialisable weights: name → shape and values. */
export type StateDict = Record<string, { shape: number[]; data: number[] }>;

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
    const visit = (m: Module, prefix: string): void => {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Tensor && value.requiresGrad && !seen.has(value)) {
          seen.add(value);
          out.push([prefix + key, value]);
        } else if (value instanceof Module) {
          visit(value, `${prefix}${key}.`);
        }
      }
    };
    visit(this, '');
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  modules(): Module[] {
    return [this, ...Object.values(this).flatMap((v) => (v instanceof Module ? v.modules() : []))];
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

  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, p] of this.namedParameters()) dict[name] = { shape: [...p.shape], data: Array.from(p.data) };
    return dict;
  }

  /** Copy saved values into the parameters in place; every name must be present with its shape, and nothing else. */
  loadStateDict(dict: StateDict): void {
    const params = this.namedParameters();
    for (const [name, p] of params) {
      const entry = dict[name];
      if (entry === undefined) throw new Error(`loadStateDict: missing key '${name}' (expected shape ${fmt(p.shape)})`);
      if (!Array.isArray(entry.shape) || !Array.isArray(entry.data) || !entry.data.every((v) => typeof v === 'number')) {
        throw new Error(`loadStateDict: '${name}' must be { shape: number[], data: number[] } (JSON keeps only finite numbers)`);
      }
      if (!sameShape(entry.shape, p.shape) || entry.data.length !== p.size) {
        throw new Error(`loadStateDict: '${name}' has shape ${fmt(entry.shape)} with ${entry.data.length} values, expected ${fmt(p.shape)}`);
      }
    }
    const known = new Set(params.map(([name]) => name));
    const extra = Object.keys(dict).filter((k) => !known.has(k));
    if (extra.length > 0) throw new Error(`loadStateDict: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`);
    for (const [name, p] of params) p.data.set(dict[name].data);
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
