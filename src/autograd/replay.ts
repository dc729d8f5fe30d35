// The replay of a traced step as one generated JavaScript function. Each elementwise op becomes its own loop
// calling the op's function of numbers, so every call site sees one function and V8 inlines it; any other op
// (products, reductions, copies) calls its `run`. The code is generated from the trace only: its text holds
// indices, loop bounds and op names reduced to identifier characters, never a value or string from a user.
import type { SourceIO, Step, TensorBase } from './tensor-base.ts';

export interface Program<R> {
  /** Rerun every step of the trace into its tensors' storage. */
  run(): void;
  /** The traced results (overwritten by each run). */
  result: R;
  /** The generated function's text. */
  source: string;
}

const label = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** The stride of an operand of an elementwise step: 1, or 0 for a single value broadcast over the output. */
const strideOf = (x: TensorBase, out: TensorBase): number => (x.size === 1 && out.size !== 1 ? 0 : 1);

/** An elementwise step whose operands are all read flat (stride 1 or 0): one loop. */
function isFlat(s: Step): boolean {
  if (s.op.fast.map === undefined || s.inPlace) return false;
  const w = s.attrs as { outer?: readonly number[] } | undefined;
  return (w?.outer === undefined || w.outer.length === 0) && s.inputs.every((x) => x.size === s.out.size || x.size === 1);
}

export function generate<R>(steps: readonly Step[], result: R): Program<R> {
  const tensors: TensorBase[] = [], index = new Map<TensorBase, number>();
  const id = (t: TensorBase): number => {
    let i = index.get(t.base);
    if (i === undefined) index.set(t.base, (i = tensors.push(t.base) - 1));
    return i;
  };
  const runs: (() => void)[] = [], fns: ((...xs: number[]) => number)[] = [], values: number[] = [];
  const body: string[] = [];
  steps.forEach((s, k) => {
    body.push(`  // ${k}: ${label(s.op.name)}`);
    if (isFlat(s)) {
      const o = id(s.out);
      const args = s.inputs.map((x) => {
        const i = id(x);
        return strideOf(x, s.out) === 1 ? `s${i}[o${i} + i]` : `s${i}[o${i}]`;
      });
      body.push(`  for (let i = 0; i < ${s.out.size}; i++) s${o}[o${o} + i] = f${fns.length}(${args.join(', ')});`);
      fns.push(s.op.fast.map!);
      return;
    }
    const { op, out, inputs, attrs } = s;
    const slots = [out, ...inputs].map(id);
    if (op.fast.view === true) return; // nothing to compute
    const io: SourceIO = {
      at: (t, i) => `s${slots[t]}[o${slots[t]} + ${i}]`,
      value: (v) => `c${values.push(v) - 1}`,
      size: (t) => (t === 0 ? out : inputs[t - 1]).size,
    };
    const text = op.fast.source?.(io, attrs) ?? null;
    if (text !== null) {
      body.push(`  ${text}`);
      return;
    }
    // An op's forward is promised fresh zeroed memory (a sum adds into it, a scatter leaves most of it): zero it again.
    runs.push(s.inPlace ? () => op.forward(out, inputs, attrs) : () => { out.buf.fill(0, out.off, out.off + out.size); op.forward(out, inputs, attrs); });
    body.push(`  r${runs.length - 1}();`);
  });
  // Arrays and offsets are read afresh at each run: a tensor copied out of a slab since then has new ones.
  const head = tensors.map((_, i) => `  const s${i} = T[${i}].store, o${i} = T[${i}].offset;`);
  const source = [
    `function run(T, r, f, c) {`,
    ...runs.map((_, i) => `  const r${i} = r[${i}];`),
    ...fns.map((_, i) => `  const f${i} = f[${i}];`),
    ...values.map((_, i) => `  const c${i} = c[${i}];`),
    `  return function step() {`,
    ...head.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    `  };`,
    `}`,
  ].join('\n');
  const make = new Function(`return ${source}`)() as
    (T: TensorBase[], r: (() => void)[], f: ((...xs: number[]) => number)[], c: number[]) => () => void;
  return { run: make(tensors, runs, fns, values), result, source };
}
