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

/**
 * A size option of a window op (kernel, stride, padding, dilation): an integer ≥ `least` for each of the `dims`
 * spatial dims, given as one number for all of them or as a list of `dims` numbers.
 */
export function spatialOf(fn: string, name: string, v: unknown, dims: number, least: number): number[] {
  const list: unknown[] | null = typeof v === 'number' ? new Array<number>(dims).fill(v) : Array.isArray(v) && v.length === dims ? v : null;
  if (list === null || !list.every((d) => Number.isInteger(d) && (d as number) >= least)) {
    const kind = least === 0 ? 'a non-negative integer' : least === 1 ? 'a positive integer' : `an integer ≥ ${least}`;
    throw new Error(`${fn}: ${name} must be ${kind}${dims === 1 ? '' : ` or a list of ${dims} of them`}, got ${what(v)}`);
  }
  return list as number[];
}

/** optionsOf, refusing a key that is not one of `names` (a misspelt or snake_case option would be ignored otherwise). */
export function knownOptionsOf<O extends object>(fn: string, opts: O | undefined, names: readonly (keyof O & string)[]): O {
  const o = optionsOf(fn, opts);
  for (const key of Object.keys(o)) {
    if (!(names as readonly string[]).includes(key)) throw new Error(`${fn}: unknown option '${key}' (the options are ${names.join(', ')})`);
  }
  return o;
}
