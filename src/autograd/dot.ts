// Graphviz DOT text for the graph behind a tensor: paste into `dot -Tsvg` to draw it. The graph's structure
// outlives backward(), so a trained step can still be drawn.
import { TensorBase } from './tensor-base.ts';
import { flagOf, optionsOf, what } from './options.ts';

/** Options of toDot: what to show in each box. */
export interface DotOptions {
  /** Show each tensor's values. */
  values?: boolean;
  /** Show each tensor's .grad where one is kept (leaves that require grad, tensors that called retainGrad()). */
  grads?: boolean;
  /** Names to put above the op, e.g. 'z(L)' for the output pre-activation. */
  names?: ReadonlyMap<TensorBase, string>;
  /** How a number is written (default: 4 significant digits). */
  format?: (v: number) => string;
  /** At most this many numbers per tensor, then '…' (default 16). */
  maxItems?: number;
}

const quote = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The numbers of a tensor, one line per row of its last axis, cut after maxItems. */
function numbers(data: Float64Array, shape: readonly number[], format: (v: number) => string, maxItems: number): string[] {
  const row = shape.length === 0 ? 1 : shape[shape.length - 1];
  const shown = Math.min(data.length, maxItems), lines: string[] = [];
  for (let i = 0; i < shown; i += row) {
    lines.push(Array.from(data.subarray(i, Math.min(i + row, shown)), format).join(' '));
  }
  if (shown < data.length) lines.push(`… (${data.length} values)`);
  return lines;
}

/**
 * The graph behind `root` as Graphviz DOT text (`dot -Tsvg graph.dot`, or any Graphviz viewer, draws it): a box per
 * tensor (its op or leaf, its shape, and with the options its values and gradient), arrows from inputs to outputs.
 * The graph's structure outlives backward, so a trained step can still be drawn.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2], { requiresGrad: true });
 * const dot = toDot(x.exp().sum()); // a box for each of sum, exp and x
 * dot.startsWith('digraph') // true
 * dot.includes('exp\\n[2]') // true
 * ```
 */
export function toDot(root: TensorBase, opts?: DotOptions): string {
  if (!(root instanceof TensorBase)) throw new Error(`toDot: expected a tensor, got ${what(root)}`);
  const o = optionsOf('toDot', opts);
  const { names, format = (v: number) => v.toPrecision(4), maxItems = 16 } = o;
  const values = flagOf('toDot', 'values', o.values, false), grads = flagOf('toDot', 'grads', o.grads, false);
  if (names !== undefined && !(names instanceof Map)) throw new Error(`toDot: names must be a Map from tensors to names, got ${what(names)}`);
  if (typeof format !== 'function') throw new Error(`toDot: format must be a function of a number, got ${what(format)}`);
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new Error(`toDot: maxItems must be a positive integer, got ${what(maxItems)}`);
  const ids = new Map<TensorBase, number>([[root, 0]]);
  // Courier: Graphviz knows its glyph widths even with no fonts installed (as in its WebAssembly builds),
  // so the boxes fit the columns of numbers.
  const lines = ['digraph tensorgrad {', '  rankdir=LR;', '  node [shape=box, fontname="Courier"];'];
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const id = ids.get(t)!;
    const what = t.gradFn !== null ? t.gradFn.name : t.requiresGrad ? 'leaf (requires grad)' : t.size === 1 ? `constant ${format(t.item())}` : 'constant';
    const label = [`${what}\n[${t.shape.join(', ')}]`];
    const name = names?.get(t);
    if (name !== undefined) label.unshift(name);
    if (values) label.push('value', ...numbers(t.values(), t.shape, format, maxItems));
    if (grads && t.grad !== null) label.push('grad', ...numbers(t.grad.values(), t.shape, format, maxItems));
    lines.push(`  t${id} [label="${quote(label.join('\n')).replace(/\n/g, '\\n')}"${t.gradFn !== null ? '' : ', style=rounded'}];`);
    for (const x of t.inputs) {
      if (!ids.has(x)) {
        ids.set(x, ids.size);
        stack.push(x);
      }
      lines.push(`  t${ids.get(x)} -> t${id};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}
