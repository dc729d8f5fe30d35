// A loss curve as SVG: log-scale loss against log(1 + step), so the first hundred steps (where the two
// losses differ) stay as readable as the thousands after them.
import { el } from './svg.ts';

const W = 560, H = 230, M = { left: 52, right: 26, top: 14, bottom: 38 };

/** Redraw `svg` with the loss after each step, a marker at the step where every prediction was within 0.1. */
export function drawCurve(svg: SVGSVGElement, losses: readonly number[], converged: number | null, color: string): void {
  const last = losses.length - 1;
  const xMax = Math.log10(1 + Math.max(1000, 10 ** Math.ceil(Math.log10(Math.max(last, 1))))); // the next power of ten
  let lo = Infinity, hi = -Infinity; // a loop, not Math.min(...): runs can be longer than the argument limit
  for (const v of losses) if (v > 0 && v < Infinity) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo > hi) lo = hi = 1; // no finite positive loss to scale to (a diverged run)
  let y0 = Math.floor(Math.log10(lo)), y1 = Math.ceil(Math.log10(hi));
  if (y1 - y0 < 2) y0 = y1 - 2;
  const px = (step: number): number => M.left + (Math.log10(1 + step) / xMax) * (W - M.left - M.right);
  const py = (loss: number): number => H - M.bottom - ((Math.log10(loss) - y0) / (y1 - y0)) * (H - M.top - M.bottom);

  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  for (let e = y0; e <= y1; e++) {
    svg.append(el('line', { x1: M.left, x2: W - M.right, y1: py(10 ** e), y2: py(10 ** e), class: 'grid' }),
      el('text', { x: M.left - 6, y: py(10 ** e) + 4, 'text-anchor': 'end' }, `1e${e}`));
  }
  for (let t = 0; Math.log10(1 + t) <= xMax + 1e-9; t = t === 0 ? 1 : t * 10) {
    svg.append(el('line', { x1: px(t), x2: px(t), y1: M.top, y2: H - M.bottom, class: 'grid' }),
      el('text', { x: px(t), y: H - M.bottom + 16, 'text-anchor': 'middle' }, String(t)));
  }
  svg.append(el('text', { x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis-label' }, 'step (log scale)'));
  if (converged !== null) {
    const x = px(converged), right = x > W * 0.6;
    svg.append(el('line', { x1: x, x2: x, y1: M.top, y2: H - M.bottom, class: 'marker' }),
      el('text', { x: right ? x - 5 : x + 5, y: M.top + 12, 'text-anchor': right ? 'end' : 'start', class: 'marker-label' },
        `all within 0.1 at step ${converged}`));
  }
  // One point per horizontal pixel is enough: later steps crowd together on the log axis.
  const pts: string[] = [];
  let prev = -1;
  for (let x = 0; x <= W - M.left - M.right; x++) {
    const s = Math.min(last, Math.round(10 ** ((x / (W - M.left - M.right)) * xMax) - 1));
    if (s === prev) continue;
    prev = s;
    if (losses[s] > 0) pts.push(`${px(s).toFixed(1)},${py(losses[s]).toFixed(1)}`);
    if (s === last) break;
  }
  svg.append(el('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 2, class: 'curve-line' }));
}
