// The profile panel: profile() of training steps of the network the graph shows, as a per-op table built from
// Profile.averages() (name, phase, calls, self time, share of the profiled time), refreshed when asked. Times and
// calls are per step: the profile covers `steps` identical steps, because a page's clock is coarse (Chromium rounds
// performance.now() to 100 µs unless the page is cross-origin isolated, which a page opened from disk cannot be),
// and one step of this small network takes less than a millisecond.
import type { Profile } from 'tensorgrad-ts';

const us = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(3)} ms` : `${v.toFixed(2)} µs`);
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function drawProfile(host: HTMLElement, prof: Profile, steps: number, what: string): void {
  const rows = prof.averages().sort((a, b) => b.self - a.self), total = prof.total;
  host.querySelector('.profile-what')!.textContent = what;
  host.querySelector('.profile-table tbody')!.innerHTML = rows.map((r) => {
    const share = (100 * r.self) / total;
    return `<tr data-name="${esc(r.name)}" data-phase="${r.phase}"><td class="name">${esc(r.name)}</td><td class="phase ${r.phase}">${r.phase}</td>
      <td>${r.calls / steps}</td><td>${us(r.self / steps)}</td>
      <td class="share"><span class="bar"><i style="width:${Math.min(100, share).toFixed(1)}%"></i></span>${share.toFixed(1)}%</td></tr>`;
  }).join('');
  const self = prof.events.reduce((s, e) => s + e.self, 0);
  host.querySelector('.profile-total')!.textContent = `${steps === 1 ? 'One step' : `${steps} steps`} profiled in ${us(total)}: ` +
    `${us(total / steps)} a step, of which the spans' self time is ${((100 * self) / total).toFixed(1)}% ` +
    '(the rest is JavaScript between ops: the backward pass\'s bookkeeping, the page\'s closures).';
  host.querySelector('.profile-text')!.textContent = prof.table();
  host.dataset.steps = String(steps);
  host.dataset.rows = JSON.stringify(rows.map((r) => ({ name: r.name, phase: r.phase, calls: r.calls / steps, self: r.self / steps })));
}
