// The "step through backward" panel: one node of the walk at a time (walk.ts), its rule as a formula, the gradient
// g it received and what it sends to each input, with the current node lit in the drawn graph. Back, step, run to
// the end, apply (the page's ordinary training step, the only thing here that changes a weight) or cancel.
import type { Tensor } from 'tensorgrad-ts';
import { BackwardWalk, type WalkNode, type WalkStep } from './walk.ts';
import { Y, type LossName, type Pass } from './xor.ts';

/** An op's derivative rules as the documents write them: letters for the output and each operand. */
interface Rule { out: string; ins: string[]; forward: string; grads: string[] }
const RULES: Record<string, Rule> = {
  matmul: { out: 'C', ins: ['A', 'B'], forward: 'C = A·B', grads: ['∂A = G·Bᵀ', '∂B = Aᵀ·G'] },
  linear: { out: 'Y', ins: ['X', 'W', 'b'], forward: 'Y = X·W + b', grads: ['∂X = G·Wᵀ', '∂W = Xᵀ·G', '∂b = Σ_rows G'] },
  sigmoid: { out: 'y', ins: ['x'], forward: 'y = σ(x)', grads: ['∂x = g · y(1 − y)'] },
  squaredError: { out: 'ℓ', ins: ['p', 'y'], forward: 'ℓ = (p − y)²', grads: ['∂p = g · 2(p − y)', '∂y = −g · 2(p − y)'] },
  mseLoss: { out: 'L', ins: ['p', 'y'], forward: 'L = Σ(p − y)² (÷ n for the mean)', grads: ['∂p = g · 2(p − y) (÷ n)', '∂y = −g · 2(p − y) (÷ n)'] },
  binaryCrossEntropy: {
    out: 'ℓ', ins: ['p', 'y'], forward: 'ℓ = −[y log p + (1 − y) log(1 − p)]', grads: ['∂p = g · (p − y) / (p(1 − p))', '∂y = g · (log(1 − p) − log p)'],
  },
  bceLoss: {
    out: 'L', ins: ['p', 'y'], forward: 'L = −Σ[y log p + (1 − y) log(1 − p)] (÷ n)', grads: ['∂p = g · (p − y) / (p(1 − p)) (÷ n)', '∂y = g · (log(1 − p) − log p) (÷ n)'],
  },
  binaryCrossEntropyWithLogits: { out: 'ℓ', ins: ['z', 'y'], forward: 'ℓ = max(z, 0) − z·y + log(1 + e^(−|z|))', grads: ['∂z = g · (σ(z) − y)', '∂y = −g · z'] },
  bceWithLogitsLoss: { out: 'L', ins: ['z', 'y'], forward: 'L = Σ[max(z, 0) − z·y + log(1 + e^(−|z|))] (÷ n)', grads: ['∂z = g · (σ(z) − y) (÷ n)', '∂y = −g · z (÷ n)'] },
  sum: { out: 's', ins: ['x'], forward: 's = Σᵢ xᵢ', grads: ['∂xᵢ = g (g copied to every element)'] },
  mean: { out: 'm', ins: ['x'], forward: 'm = Σᵢ xᵢ / n', grads: ['∂xᵢ = g / n'] },
  mul: { out: 'c', ins: ['a', 'b'], forward: 'c = a·b', grads: ['∂a = g · b', '∂b = g · a'] },
  add: { out: 'c', ins: ['a', 'b'], forward: 'c = a + b', grads: ['∂a = g', '∂b = g'] },
  sub: { out: 'c', ins: ['a', 'b'], forward: 'c = a − b', grads: ['∂a = g', '∂b = −g'] },
  pow: { out: 'c', ins: ['a', 'b'], forward: 'c = aᵇ', grads: ['∂a = g · b·aᵇ⁻¹', '∂b = g · aᵇ·ln a'] },
};

/** The rule of a node: a multiplication by a one-value constant is written with the constant (J = Σ·½). */
function ruleOf(node: WalkNode, names: ReadonlyMap<Tensor, string>): Rule | null {
  const rule = node.op === null ? null : RULES[node.op] ?? null;
  if (node.op === 'mul') {
    const k = node.inputs.findIndex((x) => x.size === 1 && !x.requiresGrad);
    if (k >= 0) {
      const c = names.get(node.inputs[k]) ?? String(node.inputs[k].item());
      const ins = k === 0 ? ['c', 'x'] : ['x', 'c'];
      return { out: 'y', ins, forward: `y = x · ${c}`, grads: ins.map((l) => (l === 'x' ? `∂x = g · ${c}` : '')) };
    }
  }
  return rule;
}

const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(5) : v.toExponential(3)).replace(/-/g, '−');
const json = (a: ArrayLike<number>): string => JSON.stringify(Array.from(a));
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (name: string): string => name.split(' = ')[0]; // 'z(3) = z(L)' → 'z(3)'
const shapeOf = (t: Tensor): string => `[${t.shape.join(', ')}]`;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** A tensor's values as a small table, one row per row of its last axis. */
function matrix(t: Tensor, marked = false): string {
  const d = t.data, row = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1], rows: string[] = [];
  for (let i = 0; i < d.length; i += row) rows.push(`<tr>${Array.from(d.subarray(i, i + row), (v) => `<td>${fmt(v)}</td>`).join('')}</tr>`);
  return `<table class="matrix${marked ? ' marked' : ''}"><tbody>${rows.join('')}</tbody></table>`;
}

export interface StepperHost {
  /** The loss whose network the graph shows, and its pass (the step about to be applied). */
  current(): { loss: LossName; pass: Pass; lr: number };
  /** Redraw the graph (with or without the .grad of each tensor); returns the drawn SVG. */
  draw(grads: boolean): SVGSVGElement | null;
  /** Turn the page's training controls off while the walk runs, and back on. */
  setTraining(enabled: boolean): void;
  /** The ordinary training step (both losses, as the Step button). */
  step(): void;
}

const HAND = { mse: '(a − y)·a·(1 − a)', bce: 'a − y' } as const;
const handDelta = (loss: LossName, a: number, y: number): number => (loss === 'mse' ? (a - y) * a * (1 - a) : a - y);

export class Stepper {
  private walk: BackwardWalk | null = null;
  private loss: LossName = 'mse';
  private lr = 1;
  private index = 0;
  private svg: SVGSVGElement | null = null;

  constructor(private readonly panel: HTMLElement, private readonly host: StepperHost) {
    panel.insertAdjacentHTML('beforeend', `
      <div class="walk-controls" role="toolbar" aria-label="Step through backward">
        <button id="walk-back" title="←">◀ Back</button>
        <button id="walk-step" class="primary" title="→">Step ▶</button>
        <button id="walk-end">Run to end</button>
        <button id="walk-apply" title="Enter">Apply update</button>
        <button id="walk-cancel" title="Esc">Cancel</button>
        <span class="walk-pos"></span>
      </div>
      <ol class="walk-order"></ol>
      <p class="walk-check note"></p>
      <div class="walk-node"></div>`); // after the page's note
    const on = (id: string, f: () => void): void => panel.querySelector(`#${id}`)!.addEventListener('click', f);
    on('walk-back', () => this.go(this.index - 1));
    on('walk-step', () => this.go(this.index + 1));
    on('walk-end', () => this.go(this.count - 1));
    on('walk-apply', () => this.apply());
    on('walk-cancel', () => this.cancel());
  }

  get active(): boolean { return this.walk !== null; }
  private get count(): number { return this.walk?.count ?? 0; }

  /** Start at the loss, the first node of the walk. */
  start(): void {
    const { loss, pass, lr } = this.host.current();
    try {
      this.walk = new BackwardWalk(pass);
    } catch (e) { // the page's record of the graph and the engine's differ: say so rather than walk a wrong graph
      this.panel.hidden = false;
      this.panel.querySelector('.walk-node')!.textContent = String(e);
      return;
    }
    this.loss = loss;
    this.lr = lr;
    this.host.setTraining(false);
    const check = this.walk.checkOrderWithProfiler();
    this.panel.dataset.orderCheck = check.ok ? 'ok' : 'differs';
    this.panel.querySelector('.walk-check')!.textContent = check.ok
      ? `Order: the graph the page built, consumers before inputs. The profiler's record of the engine's own backward walk ran the ops' rules in this same order (${check.engine.length} rule calls).`
      : `The engine's walk ran the rules in another order: ${check.engine.join(', ')}`;
    this.panel.querySelector('.walk-order')!.innerHTML = this.walk.nodes.map((n, k) =>
      `<li data-node="${n.id}" data-k="${k}"><b>${esc(n.name)}</b> <span>${n.op ?? 'leaf'}</span></li>`).join('');
    this.panel.querySelectorAll<HTMLLIElement>('.walk-order li').forEach((li) => li.addEventListener('click', () => this.go(Number(li.dataset.k))));
    this.panel.dataset.loss = loss;
    this.panel.dataset.count = String(this.count);
    this.panel.dataset.order = JSON.stringify(this.walk.nodes.map((n) => n.id));
    this.panel.hidden = false;
    this.svg = this.host.draw(false);
    this.index = 0;
    this.show();
  }

  /** Leave the walk; nothing was changed, so nothing to undo. */
  cancel(): void {
    this.stop();
    this.svg = this.host.draw(true);
  }

  /** At the end of the walk: make the update (the page's ordinary step), and leave. */
  apply(): void {
    if (this.walk === null || this.index !== this.count - 1) return;
    this.stop();
    this.host.step();
  }

  private stop(): void {
    this.walk = null;
    this.panel.hidden = true;
    this.host.setTraining(true);
  }

  /** Keys while walking: → step, ← back, Enter apply at the end, Escape cancel. */
  key(e: KeyboardEvent): boolean {
    if (this.walk === null) return false;
    if (e.key === 'ArrowRight') this.go(this.index + 1);
    else if (e.key === 'ArrowLeft') this.go(this.index - 1);
    else if (e.key === 'Escape') this.cancel();
    else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) this.apply();
    else return false;
    return true;
  }

  private go(k: number): void {
    if (this.walk === null || k < 0 || k >= this.count) return;
    this.index = k;
    this.show();
  }

  /** Light up the current node in the drawn graph (after each redraw too). */
  decorate(svg: SVGSVGElement | null): void {
    if (svg === null || this.walk === null) return;
    const visited = new Set(this.walk.nodes.slice(0, this.index).map((n) => n.id));
    const node = this.walk.nodes[this.index];
    for (const g of svg.querySelectorAll('g.node')) {
      const id = g.querySelector('title')?.textContent ?? '';
      g.classList.toggle('current', id === node.id);
      g.classList.toggle('visited', visited.has(id));
    }
    for (const g of svg.querySelectorAll('g.edge')) {
      const [from, to] = (g.querySelector('title')?.textContent ?? '').split('->');
      g.classList.toggle('sending', to === node.id && node.inputs.some((x) => x.requiresGrad && this.walk!.ids.get(x) === from));
    }
  }

  private show(): void {
    const walk = this.walk!, step = walk.at(this.index), { node } = step, n = this.count, last = this.index === n - 1;
    const $ = <T extends HTMLElement>(sel: string): T => this.panel.querySelector<T>(sel)!;
    $<HTMLButtonElement>('#walk-back').disabled = this.index === 0;
    $<HTMLButtonElement>('#walk-step').disabled = last;
    $<HTMLButtonElement>('#walk-end').disabled = last;
    $<HTMLButtonElement>('#walk-apply').disabled = !last;
    $('.walk-pos').textContent = `node ${this.index + 1} of ${n}${last ? ': the walk is complete' : ''}`;
    this.panel.querySelectorAll<HTMLLIElement>('.walk-order li').forEach((li, k) => {
      li.classList.toggle('current', k === this.index);
      li.classList.toggle('visited', k < this.index);
    });
    $('.walk-node').innerHTML = this.nodeHtml(step);
    const deltaAt = this.deltaSend(step);
    Object.assign(this.panel.dataset, {
      index: String(this.index), node: node.id, name: node.name, op: node.op ?? 'leaf', g: json(step.g.data),
      sends: JSON.stringify(step.sends.map((s) => ({ to: s.id, name: s.name, grad: s.grad === null ? null : Array.from(s.grad.data) }))),
    });
    if (deltaAt === null) delete this.panel.dataset.deltaTo; else this.panel.dataset.deltaTo = deltaAt;
    this.decorate(this.svg);
  }

  /** The id of the input that receives δ(L) at this step (the output sigmoid sends it to z(L)), or null. */
  private deltaSend(step: WalkStep): string | null {
    const p = this.walk!.pass;
    return step.node.tensor === p.a3 ? this.walk!.ids.get(p.z3)! : null;
  }

  private nodeHtml(step: WalkStep): string {
    const { node, g, sends } = step, p = this.walk!.pass, names = p.names;
    const rule = ruleOf(node, names);
    const head = `<h3><span class="walk-name">${esc(node.name)}</span> <code>${node.op ?? 'leaf (requires grad)'}</code> ${shapeOf(node.tensor)}</h3>`;
    let ruleHtml: string;
    if (node.op === null) {
      ruleHtml = `<p class="rule">A weight: the walk ends here. <code>g</code> is added into its <code>.grad</code>;
        <b>Apply update</b> then makes <code>${esc(short(node.name))} ← ${esc(short(node.name))} − lr·g</code> (lr = ${this.lr}).</p>`;
    } else if (rule === null) {
      ruleHtml = `<p class="rule">No formula written for <code>${esc(node.op)}</code>; the values below are the engine's.</p>`;
    } else {
      const where = [`${rule.out} = ${node.name}`, ...node.inputs.map((x, i) => `${rule.ins[i] ?? `input ${i}`} = ${names.get(x) ?? shapeOf(x)}`)]
        .filter((s) => !/^c = ½$/.test(s)).map(esc).join(', ');
      ruleHtml = `<p class="rule"><code>${esc(rule.forward)}</code> ⇒ ${rule.grads.filter((s) => s !== '').map((s) => `<code>${esc(s)}</code>`).join(', ')}
        <span class="where">where ${where}; g (G for a matrix) is ∂J/∂${esc(rule.out)}, what the node received</span></p>`;
    }
    // The gradient received, and what backward() left in .grad for the same tensor (retainGrad, or a weight).
    const engine = node.tensor.grad, isDelta = node.tensor === p.z3;
    const gNote = engine === null ? '' : `<p class="agree">the same as <code>.grad</code> after <code>backward()</code>: largest |difference| ${fmt(maxDiff(g.data, engine.data))}</p>`;
    const gHtml = `<figure class="walk-g${isDelta ? ' delta-mark' : ''}"><figcaption>g = ∂J/∂${esc(short(node.name))} received${this.index === 0 ? ' (the seed: ∂J/∂J = 1)' : ', summed over its consumers'}</figcaption>
      ${matrix(g, isDelta)}${isDelta ? this.deltaNote(g, 'It is δ(L)') : ''}${gNote}</figure>`;
    const sendHtml = sends.map((s, i) => {
      const formula = rule?.grads[i] ?? '';
      if (s.grad === null) {
        return `<figure class="walk-send none" data-to="${s.id}"><figcaption>→ ${esc(s.name)} ${shapeOf(s.to)}</figcaption>
          <p class="note">a constant (<code>requiresGrad</code> false): no rule runs, nothing is sent</p></figure>`;
      }
      const delta = node.tensor === p.a3 && s.to === p.z3, hidden = node.tensor === p.a2 && s.to === p.z2;
      const cls = delta ? ' delta-mark' : hidden ? ' hidden-mark' : '';
      return `<figure class="walk-send${cls}" data-to="${s.id}"><figcaption>${formula === '' ? '' : `<code>${esc(formula)}</code> `}→ ${esc(s.name)} ${shapeOf(s.to)}</figcaption>
        ${matrix(s.grad, delta)}${delta ? this.deltaNote(s.grad, 'This is δ(L), the output delta') : ''}
        ${hidden ? '<p class="note">δ(2), the hidden delta: the matrix under each loss card above</p>' : ''}</figure>`;
    }).join('');
    const sendsHead = node.op === null ? '' : `<div class="walk-sends"><h4>sends to each input (grad(node, inputs, { gradOutputs: g }))</h4>${sendHtml}</div>`;
    return `${head}${ruleHtml}${this.lossNote(node)}<div class="walk-cols">${gHtml}${sendsHead}</div>`;
  }

  /** δ(L) beside the documents' hand formula for this loss, from a(L) and y. */
  private deltaNote(d: Tensor, what: string): string {
    const a = this.walk!.pass.a3.data, y = Y.data, hand = Array.from(a, (v, i) => handDelta(this.loss, v, y[i]));
    return `<p class="delta-note" data-hand="${esc(json(hand))}">${what}: the hand formula <code>δ(L) = ${HAND[this.loss]}</code> gives
      ${hand.map(fmt).join(', ')}; largest |difference| ${fmt(maxDiff(d.data, hand))}</p>`;
  }

  /** What the two losses' rules do to a − y on the way to z(L). */
  private lossNote(node: WalkNode): string {
    const p = this.walk!.pass;
    if (node.inputs[0] === p.a3 && node.op === 'squaredError') return '<p class="note">With g = ½ from J = ½Σ, a(L) receives ½ · 2(a − y) = a − y; the output sigmoid will multiply it by a(1 − a).</p>';
    if (node.inputs[0] === p.a3 && node.op === 'binaryCrossEntropy') return '<p class="note">a(L) receives (a − y)/(a(1 − a)); the output sigmoid multiplies it by a(1 − a), which cancels it: δ(L) = a − y.</p>';
    if (node.tensor === p.a3) return `<p class="note">The output sigmoid: what it sends to its input z(L) is δ(L) = ∂J/∂z(L), under this loss <code>${HAND[this.loss]}</code>.</p>`;
    return '';
  }
}
