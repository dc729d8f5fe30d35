// The decision regions of a classifier on the plane, with the training points on top, as a standalone SVG.
import { arange, noGrad, stack, type Tensor } from '../../src/index.ts';

const W = 560, H = 560, PAD = 40, CELLS = 90;
const REGION = ['#c6dbef', '#fdd0a2', '#c7e9c0'], POINT = ['#1f77b4', '#e6550d', '#31a354'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/** The class `predict` gives each cell of a grid over the points' bounding box, as rows of rectangles, and the points. */
export function decisionRegions(predict: (points: Tensor) => Tensor, X: Tensor, y: Tensor, title: string): string {
  const xs = X.select(1, 0), ys = X.select(1, 1);
  const margin = 0.1;
  const x0 = xs.min().item() - margin, x1 = xs.max().item() + margin, y0 = ys.min().item() - margin, y1 = ys.max().item() + margin;
  const px = (v: number): number => PAD + ((v - x0) / (x1 - x0)) * (W - 2 * PAD);
  const py = (v: number): number => H - PAD - ((v - y0) / (y1 - y0)) * (H - 2 * PAD);
  // Cell centres, row by row from the top: a [CELLS, CELLS, 2] grid of (x, y) flattened to [CELLS², 2].
  const cx = arange(CELLS).add(0.5).mul((x1 - x0) / CELLS).add(x0);
  const cy = arange(CELLS).add(0.5).mul(-(y1 - y0) / CELLS).add(y1);
  const grid = stack([cx.unsqueeze(0).expand(CELLS, CELLS), cy.unsqueeze(1).expand(CELLS, CELLS)], 2).flatten(0, 1);
  const cls = noGrad(() => predict(grid)).data;
  const cw = (W - 2 * PAD) / CELLS, ch = (H - 2 * PAD) / CELLS;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    '<g shape-rendering="crispEdges">',
  ];
  for (let r = 0; r < CELLS; r++) { // one rectangle per run of equal class along a row
    for (let c = 0; c < CELLS;) {
      const k = cls[r * CELLS + c];
      let e = c + 1;
      while (e < CELLS && cls[r * CELLS + e] === k) e++;
      out.push(`<rect x="${num(PAD + c * cw)}" y="${num(PAD + r * ch)}" width="${num((e - c) * cw + 0.5)}" height="${num(ch + 0.5)}" fill="${REGION[k]}"/>`);
      c = e;
    }
  }
  out.push('</g>');
  const px0 = xs.data, py0 = ys.data, labels = y.data;
  for (let i = 0; i < labels.length; i++) {
    out.push(`<circle cx="${num(px(px0[i]))}" cy="${num(py(py0[i]))}" r="3.5" fill="${POINT[labels[i]]}" stroke="white" stroke-width="0.8"/>`);
  }
  out.push(`<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="black"/>`, '</svg>');
  return out.join('\n') + '\n';
}
