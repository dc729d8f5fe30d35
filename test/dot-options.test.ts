// toDot's options: values, gradients, names and number format in the node labels.
import { describe, expect, it } from 'vitest';
import { tensor, toDot, type Tensor } from '../src/index.ts';

/** The label text of every node, with DOT's escapes undone. */
function labels(dot: string): string[] {
  return [...dot.matchAll(/\[label="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\n/g, '\n').replace(/\\(.)/g, '$1'));
}

/** x (leaf) → y = x·c, c = 2 (retains its grad) → sum: after backward, ∂sum/∂y = 1 and ∂sum/∂x = 2 everywhere. */
function smallGraph(): { x: Tensor; y: Tensor; loss: Tensor } {
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.mul(tensor([[2, 2], [2, 2]])).retainGrad();
  const loss = y.sum();
  loss.backward(undefined, { retainGraph: true });
  return { x, y, loss };
}

describe('toDot options', () => {
  it('without options labels only op and shape, as before', () => {
    const { loss } = smallGraph();
    for (const label of labels(toDot(loss))) expect(label).not.toMatch(/value|grad\n/);
  });

  it('values: one line per row, written by format', () => {
    const { loss } = smallGraph();
    const all = labels(toDot(loss, { values: true, format: String }));
    expect(all).toContain('leaf (requires grad)\n[2, 2]\nvalue\n1 2\n3 4');
    expect(all).toContain('constant\n[2, 2]\nvalue\n2 2\n2 2');
    expect(all).toContain('mul\n[2, 2]\nvalue\n2 4\n6 8');
    expect(all).toContain('sum\n[]\nvalue\n20');
  });

  it('grads: shown where a gradient is kept (leaf, retainGrad), absent elsewhere', () => {
    const { loss } = smallGraph();
    const all = labels(toDot(loss, { grads: true, format: String }));
    expect(all).toContain('leaf (requires grad)\n[2, 2]\ngrad\n2 2\n2 2');
    expect(all).toContain('mul\n[2, 2]\ngrad\n1 1\n1 1');
    expect(all).toContain('constant\n[2, 2]'); // c has no gradient
    expect(all).toContain('sum\n[]'); // the root did not retain its gradient
  });

  it('names go above the op, quotes and backslashes escaped', () => {
    const { x, y, loss } = smallGraph();
    const names = new Map<Tensor, string>([[x, 'Θ(1)'], [y, 'z "2" \\ w']]);
    const dot = toDot(loss, { names });
    expect(dot).toContain('[label="Θ(1)\\nleaf (requires grad)\\n[2, 2]"');
    expect(dot).toContain('[label="z \\"2\\" \\\\ w\\nmul\\n[2, 2]"');
    expect(labels(dot)).toContain('z "2" \\ w\nmul\n[2, 2]');
  });

  it('maxItems cuts long tensors and says how many values there are', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const all = labels(toDot(x.sum(), { values: true, format: String, maxItems: 4 }));
    expect(all).toContain('leaf (requires grad)\n[2, 3]\nvalue\n1 2 3\n4\n… (6 values)');
  });

  it('the default format has 4 significant digits', () => {
    const x = tensor([Math.PI, -1 / 3e6], { requiresGrad: true });
    expect(labels(toDot(x.sum(), { values: true }))).toContain('leaf (requires grad)\n[2]\nvalue\n3.142 -3.333e-7');
  });
});
