// The options objects and generators the public functions take, checked: a wrong one is refused with an Error that
// names the function and what it got (a number, an array or a tensor where `{ … }` belongs is a mistake to report,
// not to ignore). nn takes these checks from here too (not through the public API, since they are no user's
// business): every public function, in either layer, then refuses bad input in the same words.
import { defaultRng, RandomState } from '../tensor/random.ts';
import { fmt } from '../tensor/shape.ts';
import { TensorBase } from './tensor-base.ts';
import { describe } from './op.ts';

/** A value as an argument check shows it: describe's words, with arrays and tensors said plainly. */
export function what(v: unknown): string {
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)})`;
  if (v instanceof TensorBase) return `a tensor of shape ${fmt(v.shape)}`;
  if (typeof v === 'function') return 'a function';
  return describe(v);
}

const NONE = Object.freeze({});

/** `opts` as an options object of `fn`: undefined is no options ({}); anything but an object is refused. */
export function optionsOf<O extends object>(fn: string, opts: O | undefined): O {
  if (opts === undefined) return NONE as O;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof TensorBase) {
    throw new Error(`${fn}: options must be an object ({ … }), got ${what(opts)}`);
  }
  return opts;
}

/** The generator an `rng` option names: the global one when it is undefined; anything but a RandomState is refused. */
export function rngOf(fn: string, rng: unknown): RandomState {
  if (rng === undefined) return defaultRng();
  if (rng instanceof RandomState) return rng;
  throw new Error(`${fn}: rng must be a RandomState, got ${what(rng)}`);
}

/** A boolean option or argument, checked (undefined gives `fallback`). */
export function flagOf(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  throw new Error(`${fn}: ${name} must be true or false, got ${what(v)}`);
}
