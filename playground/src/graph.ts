// The autograd graph of one training step, drawn by Graphviz (compiled to WebAssembly, @viz-js/viz) from
// the engine's own toDot text: the picture is the graph the engine recorded, not a drawing of it.
import { toDot } from 'tensorgrad-ts';
import type { Pass } from './xor.ts';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let viz: Viz | null = null;

/** Load Graphviz (about 1.2 MB, in its own chunk so the rest of the page does not wait for it). */
export async function loadGraphviz(): Promise<void> {
  viz = await (await import('@viz-js/viz')).instance();
}

/** Numbers of one width, so that the layout does not jump while the values change. */
const num = (v: number): string => {
  const s = v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e3) ? v.toFixed(3) : v.toExponential(1);
  return v < 0 ? s : ` ${s}`; // a space where the minus sign would be
};

/** Draw the pass's graph into host (with each tensor's .grad unless grads is false); null until Graphviz is loaded. */
export function drawGraph(host: HTMLElement, pass: Pass, { grads = true } = {}): SVGSVGElement | null {
  if (viz === null) return null;
  const dot = toDot(pass.loss, { values: true, grads, names: pass.names, format: num });
  const svg = viz.renderSVGElement(dot, {
    graphAttributes: { bgcolor: 'transparent', nodesep: 0.25, ranksep: 0.35 },
    nodeAttributes: { fontsize: 11, color: '#9aa3ad', margin: '0.12,0.06' },
    edgeAttributes: { color: '#9aa3ad', arrowsize: 0.6 },
  });
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  // Pick out the two deltas: the gradients at z(L) and at z(2).
  for (const node of svg.querySelectorAll('g.node')) {
    if (/^z\((2|3)\)/.test(node.querySelector('text')?.textContent ?? '')) node.classList.add('delta');
  }
  host.replaceChildren(svg);
  return svg;
}
