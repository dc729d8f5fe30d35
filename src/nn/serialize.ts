// A module's parameters and buffers as a safetensors file, under their stateDict names: what PyTorch's
// safetensors.torch.load_file reads (and save_file writes, for float64, float32 and int64 tensors).
import { decodeSafetensors, encodeSafetensors } from '../tensor/safetensors.ts';
import type { FloatDtype } from '../tensor/bytes.ts';
import { fmt, sameShape } from '../tensor/shape.ts';
import { bufferDtype, Module, namedState } from './module.ts';
import { noGrad, Tensor } from '../autograd/index.ts';
import { optionsOf, what } from '../autograd/options.ts';

function checkModule(fn: string, module: unknown): asserts module is Module {
  if (!(module instanceof Module)) throw new Error(`${fn}: expected a module (nn.Linear, nn.Sequential, …), got ${what(module)}`);
}

/** Options of {@link saveSafetensors}. */
export interface SafetensorsOptions {
  /** 'float64' (the default: bit for bit) or 'float32' (each value rounded to nearest, as torch's .float()); int64
   *  buffers (counts such as num_batches_tracked) are written as I64 either way. */
  dtype?: FloatDtype;
  /** Free-form string → string notes, stored in the header's __metadata__. */
  metadata?: Record<string, string>;
}

/**
 * The module's parameters and buffers as the bytes of a .safetensors file, under their stateDict names in stateDict
 * order: what PyTorch's `safetensors.torch.load_file` reads. In Node, write the bytes with `fs.writeFileSync`.
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
  return encodeSafetensors(namedState(module).map(([name, t]) => [name, { data: t.data, shape: t.shape, dtype: bufferDtype(t) === 'int64' ? 'int64' : undefined }]), o);
}

/**
 * Copy the tensors of a .safetensors file (F64 or F32, as PyTorch's `save_file` writes floats; I64, I32 or BOOL,
 * read as float64) into the module's parameters and buffers, in place; like loadStateDict, every name must be there
 * with its shape, and nothing else. Returns the file's __metadata__ ({} when it has none).
 *
 * @example
 * ```ts
 * const model = new nn.Linear(2, 1, { bias: false });
 * nn.loadSafetensors(model, nn.saveSafetensors(new nn.Linear(2, 1))) // throws "unexpected tensor 'bias'"
 * ```
 */
export function loadSafetensors(module: Module, bytes: Uint8Array): Record<string, string> {
  checkModule('loadSafetensors', module);
  const { tensors, metadata } = decodeSafetensors(bytes);
  const state = namedState(module);
  for (const [name, t] of state) {
    const found = tensors.get(name);
    if (found === undefined) throw new Error(`loadSafetensors: missing tensor '${name}' (expected shape ${fmt(t.shape)})`);
    if (!sameShape(found.shape, t.shape)) throw new Error(`loadSafetensors: tensor '${name}' has shape ${fmt(found.shape)}, expected ${fmt(t.shape)}`);
  }
  const known = new Set(state.map(([name]) => name));
  const extra = [...tensors.keys()].filter((k) => !known.has(k));
  if (extra.length > 0) throw new Error(`loadSafetensors: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`);
  noGrad(() => { for (const [name, t] of state) t.copy_(Tensor.from(tensors.get(name)!.data, t.shape)); });
  return metadata;
}
