// Graphviz DOT text for the graph behind a tensor: paste into `dot -Tsvg` to draw it. The graph's structure
// outlives backward(), so a trained step can still be drawn.
import { fmt } from '../tensor/shape.ts';
import type { TensorBase } from './tensor-base.ts';

export function toDot(root: TensorBase): string {
  const ids = new Map<TensorBase, number>([[root, 0]]);
  const lines = ['digraph tensorgrad {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const id = ids.get(t)!;
    const what = t.gradFn !== null ? t.gradFn.name : t.requiresGrad ? 'leaf (requires grad)' : t.size === 1 ? `constant ${t.item()}` : 'constant';
    lines.push(`  t${id} [label="${what}\\n${fmt(t.shape)}"${t.gradFn !== null ? '' : ', style=rounded'}];`);
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
