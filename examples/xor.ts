// The documents' XOR network (document 001's numpy program) trained with the engine.
//   npm run xor -- --help
// With --loss mse this is the numpy loop as written (descent on ½Σ(y − ŷ)², output delta (a − y)·a·(1 − a));
// with --loss bce it is the loop with the marked line replaced by `l2_delta = y − l2` (summed log loss, delta a − y).
import { writeFileSync } from 'node:fs';
import { runCli } from './args.ts';
import { parseOptions, USAGE, type LossName, type Options } from './xor/options.ts';
import { buildNet, handDelta, LOSS_TEXT, train, trainSecondOrder, X, Y, type Run } from './xor/train.ts';
import { logPlot } from './xor/svg.ts';
import { eigenvalues, weightHessian } from './xor/hessian.ts';

const fixed = (v: number, d = 6): string => v.toFixed(d);
const sci = (v: number): string => v.toExponential(3);

function describeInit(o: Options): string {
  return o.init.kind === 'numpy'
    ? `np.random.seed(${o.init.seed}); 2*np.random.random(…) - 1`
    : `nn.Linear uniform init, RandomState(${o.init.seed})`;
}

function printWeights(net: ReturnType<typeof buildNet>, when: string): void {
  console.log(`${when} weights ([in, out], as syn0 and syn1):`);
  for (const [name, p] of net.namedParameters()) {
    const rows = Array.from({ length: p.shape[0] }, (_, i) => Array.from(p.data.subarray(i * p.shape[1], (i + 1) * p.shape[1])));
    console.log(`  ${name} = ${JSON.stringify(rows)}`);
  }
}

function printDeltas(run: Run): void {
  if (run.firstDelta === null) return console.log('(no step taken: no delta to show)');
  const formula = run.loss === 'bce' ? 'a − y' : '(a − y)·a·(1 − a)';
  console.log(`\nFirst step, output delta δ(L) = ∂loss/∂z(L) under ${run.loss} (${LOSS_TEXT[run.loss]}):`);
  console.log(`  y   a(L)          δ(L) from autograd (retainGrad)   δ(L) = ${formula} by hand`);
  run.firstDelta.delta.forEach((d, i) => {
    const a = run.firstDelta!.a[i], y = Y.data[i];
    const e = (v: number): string => v.toExponential(15).padStart(22);
    console.log(`  ${y}   ${fixed(a, 8)}  ${e(d)}           ${e(handDelta(run.loss, a, y))}`);
  });
}

function printTable(run: Run): void {
  console.log('\n  input       target   prediction');
  for (let i = 0; i < 4; i++) {
    const x = Array.from(X.data.subarray(3 * i, 3 * i + 3));
    console.log(`  [${x.join(', ')}]   ${Y.data[i]}        ${run.predictions[i].toPrecision(6)}`);
  }
  const ok = run.converged !== null;
  console.log(`final loss (${LOSS_TEXT[run.loss]}): ${sci(run.lossAt[run.lossAt.length - 1])}`);
  console.log(`every prediction within 0.1 of its target: ${ok ? `yes, after ${run.converged} steps` : 'no'}`);
  console.log(`time per step: ${run.usPerStep.toFixed(2)} µs`);
}

/** About 800 points of a loss curve (every k-th step, and the last). */
function curve(run: Run): [number, number][] {
  const n = run.lossAt.length, k = Math.max(1, Math.ceil(n / 800));
  const pts: [number, number][] = [];
  for (let s = 0; s < n; s += k) pts.push([s, run.lossAt[s]]);
  if ((n - 1) % k !== 0) pts.push([n - 1, run.lossAt[n - 1]]);
  return pts;
}

/** F13: the smallest eigenvalue of each loss's exact Hessian at these weights. */
function hessianRow(net: ReturnType<typeof buildNet>, label: string): void {
  const low = (['mse', 'bce'] as const).map((l) => eigenvalues(weightHessian(net, l))[0]);
  console.log(`  ${label.padEnd(22)} ${low.map((v) => sci(v).padStart(12)).join('   ')}`);
}

const METHOD = { newton: 'damped Newton (optim.DampedNewton)', lbfgs: 'L-BFGS (optim.LBFGS, strong Wolfe line search)' };
const STUCK = {
  newton: 'no damped step lowers the loss: a local minimum or a saddle',
  lbfgs: 'the gradient or the change of the loss fell below its tolerance: a stationary point, a local minimum or a saddle',
};

/** --optimizer newton|lbfgs: the steps to within 0.1, next to gradient descent's from the same weights. */
function secondOrder(o: Options, method: 'newton' | 'lbfgs'): void {
  const losses: LossName[] = o.compare ? ['mse', 'bce'] : [o.loss];
  console.log(`XOR: 3-${o.hidden}-1 sigmoid network, ${METHOD[method]}, at most ${o.steps} steps, initial weights: ${describeInit(o)}`);
  for (const loss of losses) {
    console.log(`\ntraining on ${loss}: ${LOSS_TEXT[loss]}`);
    const every = Math.max(1, Math.round(o.steps / 10));
    const run = trainSecondOrder(buildNet(o.hidden, o.init), loss, method, o.steps, (step, value) => {
      if (step % every === 0) console.log(`  step ${String(step).padStart(String(o.steps).length)}  loss ${sci(value)}`);
    });
    printTable(run);
    if (run.stuck) {
      console.log(`${METHOD[method]} stopped after ${run.lossAt.length - 1} steps: ${STUCK[method]}`);
    }
    const gd = train(buildNet(o.hidden, o.init), loss, 60000, 1);
    console.log(`gradient descent (lr 1) from the same weights: ${gd.converged === null ? 'not within 0.1 after 60000 steps' : `every prediction within 0.1 after ${gd.converged} steps`}`);
  }
}

function main(o: Options): void {
  if (o.optimizer !== 'sgd') return secondOrder(o, o.optimizer);
  const losses: LossName[] = o.compare ? ['mse', 'bce'] : [o.loss];
  console.log(`XOR: 3-${o.hidden}-1 sigmoid network, lr ${o.lr}, ${o.steps} steps, initial weights: ${describeInit(o)}`);
  const runs: Run[] = [];
  const trained: [LossName, ReturnType<typeof buildNet>][] = [];
  for (const loss of losses) {
    const net = buildNet(o.hidden, o.init); // the same initial weights for each loss
    trained.push([loss, net]);
    if (runs.length === 0) printWeights(net, 'initial');
    console.log(`\ntraining on ${loss}: ${LOSS_TEXT[loss]}`);
    const run = train(net, loss, o.steps, o.lr, (step, value) => console.log(`  step ${String(step).padStart(String(o.steps).length)}  loss ${sci(value)}`));
    runs.push(run);
    if (o.deltas) printDeltas(run);
    printTable(run);
    if (!o.compare) printWeights(net, '\nfinal');
  }
  if (o.compare) {
    console.log('\ncomparison from the same initial weights (F12):');
    for (const r of runs) {
      const steps = r.converged === null ? `not within 0.1 after ${o.steps} steps` : `${r.converged} steps to get every prediction within 0.1`;
      console.log(`  ${r.loss}: ${steps}; final loss ${sci(r.lossAt[o.steps])}`);
    }
  }
  if (o.hessian) {
    const n = 3 * o.hidden + o.hidden;
    console.log(`\nexact Hessian of each loss w.r.t. all ${n} weights: smallest eigenvalue (negative: not convex there, F13)`);
    console.log(`  ${''.padEnd(22)} ${'mse ½Σ(y − ŷ)²'.padStart(12)}   ${'bce log loss'.padStart(12)}`);
    hessianRow(buildNet(o.hidden, o.init), 'initial weights');
    for (const [loss, net] of trained) hessianRow(net, `after training on ${loss}`);
  }
  if (o.plot !== null) {
    const colors: Record<LossName, string> = { mse: '#d62728', bce: '#1f77b4' };
    const svg = logPlot(runs.map((r) => ({ label: `${r.loss}: ${LOSS_TEXT[r.loss]}`, color: colors[r.loss], points: curve(r) })),
      `XOR 3-${o.hidden}-1, lr ${o.lr}: training loss`, 'step', 'loss (log scale)');
    writeFileSync(o.plot, svg);
    console.log(`\nwrote ${o.plot}`);
  }
}

runCli('xor', parseOptions, USAGE, main);
