// The page: two trainers (one per loss) from the same seed, stepped together; each frame shows the latest pass.
import './style.css';
import type { Profile } from 'tensorgrad-ts';
import { drawCurve } from './curve.ts';
import { drawGraph, loadGraphviz } from './graph.ts';
import { drawProfile } from './profile-panel.ts';
import { Stepper } from './stepper.ts';
import { computeSurfaces, DATA, drawSlice, drawSurface } from './surface.ts';
import { Trainer, X, Y, type LossName } from './xor.ts';

const LOSSES: Record<LossName, { title: string; J: string; delta: string; who: string; color: string }> = {
  mse: { title: 'Squared error', J: 'J = ½Σ(y − a)²', delta: '(a − y)·a·(1 − a)', who: 'the numpy program as written (Mitchell)', color: '#c0562f' },
  bce: { title: 'Log loss', J: 'J = −Σ[y log a + (1 − y) log(1 − a)]', delta: 'a − y', who: 'the marked line replaced (Andrew Ng)', color: '#2f6db5' },
};
/** The documents' hand formulas for δ(L) = ∂J/∂z(L) (F8 and F7). */
const HAND: Record<LossName, (a: number, y: number) => number> = {
  mse: (a, y) => (a - y) * a * (1 - a),
  bce: (a, y) => a - y,
};

const $ = <T extends Element = HTMLElement>(sel: string, root: ParentNode = document): T => root.querySelector<T>(sel)!;
const app = $('#app');
const cards = { mse: $('.loss-card[data-loss="mse"]'), bce: $('.loss-card[data-loss="bce"]') };
const runButton = $<HTMLButtonElement>('#run');
const lrInput = $<HTMLInputElement>('#lr'), seedInput = $<HTMLInputElement>('#seed'), speedSelect = $<HTMLSelectElement>('#speed');

const fmt = (v: number, d = 4): string => (v === 0 ? '0' : Math.abs(v) >= 1e-3 ? v.toFixed(d) : v.toExponential(2)).replace(/-/g, '−');
const json = (a: ArrayLike<number>): string => JSON.stringify(Array.from(a));
/** The exact bits of some doubles, as hex: for comparing weights bit for bit. */
const bits = (a: Float64Array): string => Array.from(new Uint8Array(Float64Array.from(a).buffer), (b) => b.toString(16).padStart(2, '0')).join('');

function cardHtml(name: LossName): string {
  const L = LOSSES[name];
  const rows = [0, 1, 2, 3].map((i) => `<tr data-row="${i}"><td>${X.data[3 * i]} ${X.data[3 * i + 1]}</td><td>${Y.data[i]}</td>
    <td class="pred"><span class="bar"><i></i></span><span class="a"></span></td><td class="d-auto"></td><td class="d-hand"></td><td class="d-diff"></td></tr>`).join('');
  return `
    <div class="card-head"><h2 style="color:${L.color}">${L.title}</h2><span class="who">${L.who}</span></div>
    <p class="formula"><code>${L.J}</code> &nbsp;⇒&nbsp; <code>δ(L) = ${L.delta}</code></p>
    <div class="stats"><div><span>loss</span><b class="loss-value"></b></div>
      <div><span>every prediction within 0.1</span><b class="converged"></b></div></div>
    <svg class="curve" role="img" aria-label="${L.title} loss curve"></svg>
    <table class="deltas">
      <thead><tr><th>x₁ x₂</th><th>y</th><th>prediction a(L)</th><th>δ(L) = z(L).grad</th><th>δ(L) = ${L.delta}</th><th>|difference|</th></tr></thead>
      <tbody>${rows}</tbody></table>
    <div class="hidden-delta">
      <p><code>δ(2) = (Θ(2))ᵀ δ(3) .* g′(z(2))</code>, in the program <code>l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))</code>:
      the hidden deltas, one row per example, read from <code>z(2).grad</code>.</p>
      <table class="matrix"><tbody></tbody></table>
      <p class="agree"></p>
    </div>`;
}

let trainers: Record<LossName, Trainer>;
let graphLoss: LossName = 'mse', running = false, lastGraph = 0;

/** The value of a number input if `ok` accepts it; otherwise the browser's message on the field, and null. */
function read(input: HTMLInputElement, ok: (v: number) => boolean, hint: string): number | null {
  const v = Number(input.value);
  input.setCustomValidity(input.value.trim() !== '' && ok(v) ? '' : hint);
  return input.reportValidity() ? v : null;
}
const readSeed = () => read(seedInput, (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer from 0 to 4294967295');
const readLr = () => read(lrInput, (v) => Number.isFinite(v) && v > 0, 'a positive number');

function reset(): void {
  const seed = readSeed(), lr = readLr();
  if (seed === null || lr === null) return;
  trainers = { mse: new Trainer('mse', seed, lr), bce: new Trainer('bce', seed, lr) };
  const t = trainers.mse;
  app.dataset.seed = String(seed);
  app.dataset.initialWeights = JSON.stringify({ syn0: t.syn0.toArray(), syn1: t.syn1.toArray() });
  render(true);
}

function renderCard(name: LossName): void {
  const t = trainers[name], p = t.pass, card = cards[name];
  const a = p.a3.data, delta = p.z3.grad!.data, hand = Array.from(a, (v, i) => HAND[name](v, Y.data[i]));
  $('.loss-value', card).textContent = t.losses[t.steps].toPrecision(4);
  $('.converged', card).textContent = t.converged === null ? 'not yet' : `after ${t.converged} steps`;
  drawCurve($<SVGSVGElement>('svg.curve', card), t.losses, t.converged, LOSSES[name].color);
  card.querySelectorAll('tbody tr[data-row]').forEach((row, i) => {
    const ok = Math.abs(a[i] - Y.data[i]) < 0.1;
    row.classList.toggle('ok', ok);
    $('.bar i', row).style.width = `${(a[i] * 100).toFixed(1)}%`;
    $('.a', row).textContent = a[i].toFixed(4);
    $('.d-auto', row).textContent = fmt(delta[i], 6);
    $('.d-hand', row).textContent = fmt(hand[i], 6);
    $('.d-diff', row).textContent = fmt(Math.abs(delta[i] - hand[i]), 1);
  });
  // Hidden deltas by hand from the output delta: δ(2)[i][k] = δ(3)[i] · syn1[k] · a(2)[i][k](1 − a(2)[i][k]).
  const a2 = p.a2.data, w = t.syn1.data, hidden = p.z2.grad!.data;
  const hiddenHand = Array.from(a2, (v, k) => hand[Math.floor(k / 4)] * w[k % 4] * v * (1 - v));
  $('.matrix tbody', card).innerHTML = [0, 1, 2, 3].map((i) =>
    `<tr>${[0, 1, 2, 3].map((k) => `<td>${fmt(hidden[4 * i + k], 5)}</td>`).join('')}</tr>`).join('');
  const worst = Math.max(...hidden.map((v, k) => Math.abs(v - hiddenHand[k])));
  $('.agree', card).textContent = `largest |autograd − hand formula| over the 16 entries: ${fmt(worst, 1)}`;
  Object.assign(card.dataset, {
    steps: String(t.steps), converged: t.converged === null ? '' : String(t.converged), lossValue: String(t.losses[t.steps]),
    y: json(Y.data), a: json(a), delta: json(delta),
    a2: json(a2), syn1: json(w), hiddenDelta: json(hidden),
  });
}

function render(graphNow = false): void {
  renderCard('mse');
  renderCard('bce');
  $('#step-count').textContent = String(trainers.mse.steps);
  app.dataset.weightBits = JSON.stringify(Object.fromEntries((['mse', 'bce'] as const).map((n) =>
    [n, bits(trainers[n].syn0.data) + bits(trainers[n].syn1.data)])));
  const now = performance.now();
  if (graphNow || now - lastGraph > 150) { // Graphviz takes a few milliseconds: about seven redraws a second
    stepper.decorate(drawGraph($('#graph'), trainers[graphLoss].pass, { grads: !stepper.active }));
    lastGraph = now;
  }
}

function step(n: number): void {
  for (let k = 0; k < n; k++) { trainers.mse.step(); trainers.bce.step(); }
}

function frame(): void {
  if (!running) return;
  step(Number(speedSelect.value));
  render();
  requestAnimationFrame(frame);
}

function setRunning(on: boolean): void {
  running = on;
  runButton.textContent = on ? 'Pause' : 'Run';
  if (on) requestAnimationFrame(frame);
  else render(true);
}

for (const name of ['mse', 'bce'] as const) cards[name].innerHTML = cardHtml(name);

// Step through backward: the walk of the pass the graph shows; training waits (its controls off) until Apply or Cancel.
const training = ['#run', '#step', '#reset', '#lr', '#seed', '#speed', '[data-graph]', '#walk-start'];
const stepper = new Stepper($('#walk'), {
  current: () => ({ loss: graphLoss, pass: trainers[graphLoss].pass, lr: trainers[graphLoss].lr }),
  draw: (grads) => drawGraph($('#graph'), trainers[graphLoss].pass, { grads }),
  setTraining: (enabled) => {
    for (const sel of training) document.querySelectorAll<HTMLButtonElement | HTMLInputElement>(sel).forEach((e) => (e.disabled = !enabled));
    app.dataset.walking = String(!enabled);
  },
  step: () => { step(1); render(true); },
});
function startWalk(): void {
  if (stepper.active || app.dataset.graph !== 'ready') return;
  setRunning(false);
  stepper.start();
}
$('#walk-start').addEventListener('click', startWalk);

// The profile panel: one training step of the network the graph shows, profiled on a copy of its weights.
let lastProfile: Profile | null = null;
function runProfile(): void {
  const t = trainers[graphLoss];
  const steps = Number($<HTMLSelectElement>('#profile-steps').value);
  lastProfile = t.profileSteps(steps);
  drawProfile($('#profile'), lastProfile, steps, `Shown: the ${LOSSES[graphLoss].title.toLowerCase()} network at step ${t.steps}.`);
  $('#profile').dataset.loss = graphLoss;
}
$('#profile-run').addEventListener('click', runProfile);
$('#profile-trace').addEventListener('click', () => {
  if (lastProfile === null) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([lastProfile.toChromeTrace()], { type: 'application/json' }));
  a.download = `playground-${graphLoss}-step.trace.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
runButton.addEventListener('click', () => setRunning(!running));
$('#step').addEventListener('click', () => { setRunning(false); step(1); render(true); });
$('#reset').addEventListener('click', () => { setRunning(false); reset(); });
seedInput.addEventListener('change', () => { setRunning(false); reset(); });
lrInput.addEventListener('change', () => {
  const lr = readLr();
  if (lr === null) return;
  trainers.mse.setLearningRate(lr);
  trainers.bce.setLearningRate(lr);
});
document.querySelectorAll<HTMLButtonElement>('[data-graph]').forEach((tab) => tab.addEventListener('click', () => {
  graphLoss = tab.dataset.graph as LossName;
  document.querySelectorAll('[data-graph]').forEach((t) => t.setAttribute('aria-selected', String(t === tab)));
  render(true);
}));
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  if (stepper.key(e)) { e.preventDefault(); return; }
  if (stepper.active) return; // training keys wait for the walk to end
  if (e.key === 'b') { startWalk(); return; }
  if (e.key === ' ' && !(e.target instanceof HTMLButtonElement)) { e.preventDefault(); setRunning(!running); } // a focused button takes its own Space
  if (e.key === 'ArrowRight') { setRunning(false); step(1); render(true); }
});

$('#data-text').textContent = `x = ${DATA.x.join(', ')} with labels y = ${DATA.y.join(', ')}`;
const surfaces = computeSurfaces();
for (const name of ['mse', 'bce'] as const) {
  const fig = $(`[data-surface="${name}"]`), s = surfaces[name];
  drawSurface($<HTMLCanvasElement>('canvas', fig), s);
  const n = s.bendsDown.reduce((sum, v) => sum + v, 0);
  $('.count', fig).textContent = n === 0 ? 'it bends down nowhere' : `it bends down at ${Math.round((100 * n) / s.loss.length)}% of the grid`;
  fig.dataset.bendsDown = String(n);
}
drawSlice($<SVGSVGElement>('svg.slice'), surfaces, { mse: LOSSES.mse.color, bce: LOSSES.bce.color });

reset();
setTimeout(runProfile, 0); // a first table, once the page is up
loadGraphviz().then(() => { render(true); app.dataset.graph = 'ready'; $<HTMLButtonElement>('#walk-start').disabled = false; }, (e: unknown) => {
  $('#graph').textContent = `Graphviz could not be loaded: ${String(e)}`;
});
app.dataset.ready = 'true';
