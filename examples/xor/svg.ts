// A small SVG line plot with a log-scale y axis: enough for loss curves, no dependencies.

export interface Series {
  label: string;
  color: string;
  /** [x, y] points; y must be positive (non-positive points are skipped). */
  points: [number, number][];
}

const W = 720, H = 440, M = { left: 80, right: 24, top: 40, bottom: 56 };
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/** Round tick values for [lo, hi]: about five multiples of 1, 2 or 5 × 10^k. */
function niceTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5 || 1, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * p).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(t);
  return ticks;
}

export function logPlot(series: Series[], title: string, xLabel: string, yLabel: string): string {
  const pts = series.flatMap((s) => s.points).filter(([, y]) => y > 0 && Number.isFinite(y));
  const xs = pts.map(([x]) => x), ly = pts.map(([, y]) => Math.log10(y));
  const x0 = Math.min(...xs, 0), x1 = Math.max(...xs, 1);
  let y0 = Math.floor(Math.min(...ly, 0)), y1 = Math.ceil(Math.max(...ly, 0));
  if (y1 === y0) y1 = y0 + 1;
  const px = (x: number): number => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number): number => H - M.bottom - ((Math.log10(y) - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let e = y0; e <= y1; e++) { // one grid line per decade
    const y = num(py(10 ** e));
    out.push(`<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">1e${e}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    const x = num(px(t));
    out.push(`<line x1="${x}" y1="${H - M.bottom}" x2="${x}" y2="${H - M.bottom + 5}" stroke="black"/>`,
      `<text x="${x}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<path d="M${M.left} ${M.top}V${H - M.bottom}H${W - M.right}" fill="none" stroke="black"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, k) => {
    const p = s.points.filter(([, y]) => y > 0 && Number.isFinite(y)).map(([x, y]) => `${num(px(x))},${num(py(y))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${p}"><title>${esc(s.label)}</title></polyline>`);
    if (series.length > 1) { // legend, top right
      const ly0 = M.top + 12 + 18 * k, lx = W - M.right - 300;
      out.push(`<line x1="${lx}" y1="${ly0}" x2="${lx + 24}" y2="${ly0}" stroke="${s.color}" stroke-width="3"/>`,
        `<text x="${lx + 30}" y="${ly0}" dominant-baseline="middle">${esc(s.label)}</text>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
