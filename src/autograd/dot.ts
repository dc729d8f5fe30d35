// Graphviz DOT text for the graph behind a tensor: paste into `dot -Tsvg` to draw it.
import type { Tensor } from '../tensor/tensor.ts';

export function toDot(root: Tensor): string {
  const ids = new Map<Tensor, number>([[root, 0]]);
  const lines = ['digraph tensorgrad {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const id = ids.get(t)!;
    const what = t.node ? t.node.op : t.requiresGrad ? 'leaf (requires grad)' : 'constant';
    lines.push(`  t${id} [label="${what}\\n[${t.shape.join(', ')}]"${t.node ? '' : ', style=rounded'}];`);
    for (const x of t.node?.inputs ?? []) {
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
