// F13: the loss of one sigmoid neuron a = σ(w·x + b) over the plane of its two weights (w, b), for each loss.
// The engine evaluates the whole grid at once: a [m, 2] data matrix times a [2, G²] matrix of weight pairs.
import { nn, Tensor, tensor } from 'tensorgrad-ts';
import { el } from './svg.ts';

export const DATA = { x: [-3, -1, 1, 3], y: [0, 1, 0, 1] }; // not separable: log loss has a finite minimum
export const RANGE = 6; // w and b run over [−RANGE, RANGE]
const G = 201; // grid points per side, odd so that the middle row is b = 0

export interface Surface {
  /** Loss at grid point (row i from b = RANGE down to −RANGE, column j from w = −RANGE up to RANGE), row-major. */
  loss: Float64Array;
  /** 1 where the loss curves downwards along an axis or diagonal: impossible for a convex function. */
  bendsDown: Uint8Array;
  min: number;
  max: number;
}

export function computeSurfaces(): Record<'mse' | 'bce', Surface> {
  const wb = new Float64Array(2 * G * G);
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < G; j++) {
      wb[i * G + j] = -RANGE + (2 * RANGE * j) / (G - 1); // w
      wb[G * G + i * G + j] = RANGE - (2 * RANGE * i) / (G - 1); // b
    }
  }
  const X = tensor(DATA.x.map((x) => [x, 1]));
  const Y = Tensor.from(Float64Array.from({ length: DATA.y.length * G * G }, (_, k) => DATA.y[Math.floor(k / (G * G))]), [DATA.y.length, G * G]);
  const z = X.matmul(Tensor.from(wb, [2, G * G]));
  return {
    mse: summarise(nn.mseLoss(z.sigmoid(), Y, { reduction: 'none' }).sum(0).mul(0.5).data),
    bce: summarise(nn.bceWithLogitsLoss(z, Y, { reduction: 'none' }).sum(0).data), // from z: no rounding in log(1 − a)
  };
}

function summarise(loss: Float64Array): Surface {
  const bendsDown = new Uint8Array(G * G);
  let min = Infinity, max = -Infinity;
  for (const v of loss) { min = Math.min(min, v); max = Math.max(max, v); }
  const tol = 1e-9 * max; // above rounding: a convex function has every second difference ≥ 0
  for (let i = 1; i < G - 1; i++) {
    for (let j = 1; j < G - 1; j++) {
      const k = i * G + j, twice = 2 * loss[k];
      for (const d of [1, G, G + 1, G - 1]) {
        if (loss[k + d] - twice + loss[k - d] < -tol) { bendsDown[k] = 1; break; }
      }
    }
  }
  return { loss, bendsDown, min, max };
}

// A calm sequential palette (dark blue → teal → pale yellow), interpolated.
const STOPS = [[37, 52, 94], [44, 127, 148], [105, 180, 150], [190, 221, 160], [250, 246, 205]];
function color(t: number): number[] {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1), k = Math.min(STOPS.length - 2, Math.floor(x)), f = x - k;
  return [0, 1, 2].map((c) => STOPS[k][c] + f * (STOPS[k + 1][c] - STOPS[k][c]));
}

const BANDS = 14;

/** Heat map of log(loss) in contour bands; a sparse light stipple where the surface bends down; the slice b = 0. */
export function drawSurface(canvas: HTMLCanvasElement, s: Surface): void {
  const img = new ImageData(G, G), mid = (G - 1) / 2;
  const span = Math.log(s.max / s.min);
  for (let k = 0; k < G * G; k++) {
    const i = Math.floor(k / G), j = k % G;
    const t = Math.log(s.loss[k] / s.min) / span;
    const edge = Math.abs(t * BANDS - Math.round(t * BANDS)) < 0.07; // a thin line between bands
    let rgb = color((Math.floor(t * BANDS) + 0.5) / BANDS).map((c) => (edge ? 0.85 * c : c));
    if (s.bendsDown[k] === 1 && i % 5 === 2 && j % 5 === 2) rgb = rgb.map((c) => c + 0.6 * (255 - c));
    if (i === mid && j % 4 < 2) rgb = [255, 255, 255];
    img.data.set([...rgb, 255], 4 * k);
  }
  canvas.width = G;
  canvas.height = G;
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

/** Both losses along the slice b = 0, each scaled to fill the height (scaling keeps a curve convex or not). */
export function drawSlice(svg: SVGSVGElement, surfaces: Record<'mse' | 'bce', Surface>, colors: Record<'mse' | 'bce', string>): void {
  const W = 300, H = 300, M = { left: 14, right: 14, top: 14, bottom: 36 }, mid = (G - 1) / 2;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const px = (j: number): number => M.left + (j / (G - 1)) * (W - M.left - M.right);
  svg.append(el('line', { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom, class: 'axis' }));
  for (const w of [-RANGE, 0, RANGE]) {
    const x = px(((w + RANGE) / (2 * RANGE)) * (G - 1));
    svg.append(el('text', { x, y: H - M.bottom + 15, 'text-anchor': 'middle' }, `${w}`.replace('-', '−')));
  }
  svg.append(el('text', { x: W / 2, y: H - 4, 'text-anchor': 'middle' }, 'w (b = 0)'));
  for (const name of ['mse', 'bce'] as const) {
    const row = surfaces[name].loss.subarray(mid * G, mid * G + G);
    const lo = Math.min(...row), hi = Math.max(...row);
    const py = (v: number): number => H - M.bottom - 6 - ((v - lo) / (hi - lo)) * (H - M.top - M.bottom - 12);
    const pts = Array.from(row, (v, j) => `${px(j).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    svg.append(el('polyline', { points: pts, fill: 'none', stroke: colors[name], 'stroke-width': 2.5 }));
  }
}
