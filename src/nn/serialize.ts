// A module's parameters and buffers as a safetensors file, under their stateDict names: what PyTorch's
// safetensors.torch.load_file reads (and save_file writes, for float64, float32 and int64 tensors).
import { decodeSafetensors, encodeSafetensors } from '../tensor/safetensors.ts';
import type { FloatDtype } from '../tensor/bytes.ts';
import { fmt, sameShape } from '../tensor/shape.ts';
import { bufferDtype, Module, namedState } from './module.ts';
import { Linear } from './linear.ts';
import { noGrad, Tensor } from '../autograd/index.ts';
import { optionsOf, what } from '../autograd/options.ts';

function checkModule(fn: string, module: unknown): asserts module is Module {
  if (!(module instanceof Module)) throw new Error(`${fn}: expected a module (nn.Linear, nn.Sequential, …), got ${what(module)}`);
}

/**
 * How a file lays out nn.Linear's weight: 'engine' (the default) as this engine keeps it, [in, out]; 'pytorch' as
 * torch.nn.Linear keeps it, [out, in]. The one exception to "same names, same layouts": every other tensor is
 * stored as PyTorch stores it either way.
 */
export type LinearLayout = 'engine' | 'pytorch';

/** Options of {@link saveSafetensors}. */
export interface SafetensorsOptions {
  /** 'float64' (the default: bit for bit) or 'float32' (each value rounded to nearest, as torch's .float()); int64
   *  buffers (counts such as num_batches_tracked) are written as I64 either way. */
  dtype?: FloatDtype;
  /** Free-form string → string notes, stored in the header's __metadata__. */
  metadata?: Record<string, string>;
  /** 'pytorch' writes each nn.Linear's weight transposed, [out, in], so that a PyTorch model's load_state_dict takes
   *  the file (default 'engine': [in, out]). */
  linearLayout?: LinearLayout;
}

/** Options of {@link loadSafetensors}. */
export interface LoadSafetensorsOptions {
  /** 'pytorch' reads each nn.Linear's weight as PyTorch saves it, [out, in], and transposes it into the layer
   *  (default 'engine': [in, out]). */
  linearLayout?: LinearLayout;
}

/** The linearLayout option, checked; the weights it transposes (those of every nn.Linear in the module), if any. */
function transposedBy(fn: string, module: Module, layout: unknown): Set<Tensor> {
  if (layout === undefined || layout === 'engine') return new Set();
  if (layout !== 'pytorch') throw new Error(`${fn}: linearLayout must be 'engine' or 'pytorch', got ${what(layout)}`);
  return new Set(module.modules().filter((m): m is Linear => m instanceof Linear).map((m) => m.weight));
}

/**
 * The module's parameters and buffers as the bytes of a .safetensors file, under their stateDict names in stateDict
 * order: what PyTorch's `safetensors.torch.load_file` reads. With `{ linearLayout: 'pytorch' }` a PyTorch model of
 * the same structure loads it with load_state_dict. In Node, write the bytes with `fs.writeFileSync`.
 *
 * @example
 * ```ts
 * const model = new nn.Linear(2, 1);
 * const copy = new nn.Linear(2, 1);
 * nn.loadSafetensors(copy, nn.saveSafetensors(model, { metadata: { epoch: '3' } })) // { epoch: '3' }
 * copy.weight.toArray().join() === model.weight.toArray().join() // true
 * ```
 */
export function saveSafetensors(module: Module, opts?: SafetensorsOptions): Uint8Array {
  checkModule('saveSafetensors', module);
  const o = optionsOf('saveSafetensors', opts);
  const transposed = transposedBy('saveSafetensors', module, o.linearLayout);
  return encodeSafetensors(namedState(module).map(([name, t]) => {
    const stored = transposed.has(t) ? noGrad(() => t.transpose()) : t;
    return [name, { data: stored.data, shape: stored.shape, dtype: bufferDtype(t) === 'int64' ? 'int64' : undefined }];
  }), o);
}

/**
 * Copy the tensors of a .safetensors file (F64 or F32, as PyTorch's `save_file` writes floats; I64, I32 or BOOL,
 * read as float64) into the module's parameters and buffers, in place; like loadStateDict, every name must be there
 * with its shape, and nothing else. `{ linearLayout: 'pytorch' }` reads a PyTorch model's file: each nn.Linear's
 * weight [out, in] is transposed into the layer. Returns the file's __metadata__ ({} when it has none).
 *
 * @example
 * ```ts
 * const model = new nn.Linear(2, 1, { bias: false });
 * nn.loadSafetensors(model, nn.saveSafetensors(new nn.Linear(2, 1))) // throws "unexpected tensor 'bias'"
 * const torchLayout = nn.saveSafetensors(new nn.Linear(3, 2), { linearLayout: 'pytorch' }); // weight [2, 3]
 * nn.loadSafetensors(new nn.Linear(3, 2), torchLayout) // throws "tensor 'weight' has shape [2, 3], expected [3, 2]"
 * nn.loadSafetensors(new nn.Linear(3, 2), torchLayout, { linearLayout: 'pytorch' }) // {}
 * ```
 */
export function loadSafetensors(module: Module, bytes: Uint8Array, opts?: LoadSafetensorsOptions): Record<string, string> {
  checkModule('loadSafetensors', module);
  const transposed = transposedBy('loadSafetensors', module, optionsOf('loadSafetensors', opts).linearLayout);
  const { tensors, metadata } = decodeSafetensors(bytes);
  const state = namedState(module);
  const shapeIn = (t: Tensor): number[] => (transposed.has(t) ? [t.shape[1], t.shape[0]] : [...t.shape]);
  for (const [name, t] of state) {
    const found = tensors.get(name), want = shapeIn(t);
    const layout = transposed.has(t) ? " (nn.Linear's weight in PyTorch's [out, in] layout)" : '';
    if (found === undefined) throw new Error(`loadSafetensors: missing tensor '${name}' (expected shape ${fmt(want)}${layout})`);
    if (!sameShape(found.shape, want)) throw new Error(`loadSafetensors: tensor '${name}' has shape ${fmt(found.shape)}, expected ${fmt(want)}${layout}`);
  }
  const known = new Set(state.map(([name]) => name));
  const extra = [...tensors.keys()].filter((k) => !known.has(k));
  if (extra.length > 0) throw new Error(`loadSafetensors: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`);
  noGrad(() => {
    for (const [name, t] of state) {
      const stored = Tensor.from(tensors.get(name)!.data, shapeIn(t));
      t.copy_(transposed.has(t) ? stored.transpose() : stored);
    }
  });
  return metadata;
}
