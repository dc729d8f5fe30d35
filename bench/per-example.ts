// per-example: the gradient of each example's loss, separately, for the 784-128-10 MLP of mlp-step (sigmoid hidden
// and output layers with biases, ½Σ(y − ŷ)² per example) at batch 64, the same data and weights: vmap(grad) in one
// pass against a loop of single-example grad (as it comes, 64 tensors per parameter, and stacked as vmap returns
// them), and a hand-written floor (one batched forward, the deltas, then each example's outer products into buffers
// allocated once). Each gives 64 gradients of every parameter, about 6.5 million values (W0's alone, [64, 784, 128],
// is 51 MB); the cases check they agree before timing.
import { grad, nn, RandomState, stack, Tensor, vmap } from './engine.ts';
import { caseNamed, expectClose, runSuite, type SuiteReport } from './common.ts';
import { gemmBlocked, sigmoid } from './kernels.ts';
import { mlpData } from './mlp-step.ts';

const IN = 784, H = 128, OUT = 10, B = 64;

export const CASES = {
  vmap: 'engine, vmap(grad) over the batch',
  loop: 'engine, a loop of single-example grad',
  stacked: 'engine, the loop, stacked as vmap returns them',
  hand: 'hand-written: batched forward, per-example outer products (floor)',
} as const;

/** The model of mlp-step (Xavier weights from seed 1, zero biases) and its per-example gradient function. */
function engineModel(): { params: Tensor[]; perExample: (x: Tensor, y: Tensor) => Tensor[] } {
  const rng = new RandomState(1);
  const model = new nn.Sequential(new nn.Linear(IN, H, { init: 'xavier', rng }), new nn.Sigmoid(), new nn.Linear(H, OUT, { init: 'xavier', rng }), new nn.Sigmoid());
  const params = model.parameters();
  return { params, perExample: (x, y) => grad(nn.mseLoss(model.call(x), y, { reduction: 'sum' }).mul(0.5), params) as Tensor[] };
}

/**
 * Per-example gradients by hand, [B, ...shape] per parameter in buffers made once: A1 = σ(X·W0 + b0),
 * A2 = σ(A1·W1 + b1) for the batch (blocked gemm), deltas D2 = (a − y)·a·(1 − a) and D1 = (D2·W1ᵀ)·a·(1 − a), then
 * each example's gradients x ⊗ d1, d1, a1 ⊗ d2, d2.
 */
function handPerExample(params: Float64Array[], x: Float64Array, y: Float64Array): { run: () => void; grads: Float64Array[] } {
  const [W0, b0, W1, b1] = params;
  const A1 = new Float64Array(B * H), A2 = new Float64Array(B * OUT), D1 = new Float64Array(B * H), D2 = new Float64Array(B * OUT);
  const gW0 = new Float64Array(B * IN * H), gb0 = new Float64Array(B * H), gW1 = new Float64Array(B * H * OUT), gb1 = new Float64Array(B * OUT);
  const outer = (g: Float64Array, a: Float64Array, m: number, d: Float64Array, n: number): void => {
    for (let b = 0; b < B; b++) {
      for (let i = 0, o = b * m * n; i < m; i++, o += n) {
        const ai = a[b * m + i];
        for (let j = 0; j < n; j++) g[o + j] = ai * d[b * n + j];
      }
    }
  };
  const run = (): void => {
    for (let b = 0; b < B; b++) A1.set(b0, b * H);
    gemmBlocked(B, H, IN, x, 0, IN, 1, W0, 0, H, 1, A1, 0);
    for (let i = 0; i < A1.length; i++) A1[i] = sigmoid(A1[i]);
    for (let b = 0; b < B; b++) A2.set(b1, b * OUT);
    gemmBlocked(B, OUT, H, A1, 0, H, 1, W1, 0, OUT, 1, A2, 0);
    for (let i = 0; i < A2.length; i++) {
      const a = sigmoid(A2[i]);
      D2[i] = (a - y[i]) * a * (1 - a);
    }
    D1.fill(0);
    gemmBlocked(B, H, OUT, D2, 0, OUT, 1, W1, 0, 1, OUT, D1, 0);
    for (let i = 0; i < D1.length; i++) D1[i] *= A1[i] * (1 - A1[i]);
    outer(gW0, x, IN, D1, H);
    gb0.set(D1);
    outer(gW1, A1, H, D2, OUT);
    gb1.set(D2);
  };
  return { run, grads: [gW0, gb0, gW1, gb1] };
}

export async function run(): Promise<SuiteReport> {
  console.log(`\nper-example: the gradient of each example's loss for the 784-128-10 sigmoid MLP, batch ${B}, ½Σ(y − ŷ)² per example`);
  const { x, y } = mlpData(B);
  const X = Tensor.from(x, [B, IN]), Y = Tensor.from(y, [B, OUT]);
  const { params, perExample } = engineModel();
  const batched = vmap(perExample);
  const xs = Array.from({ length: B }, (_, b) => X.select(0, b)), ys = Array.from({ length: B }, (_, b) => Y.select(0, b));
  const loop = (): Tensor[][] => xs.map((xb, b) => perExample(xb, ys[b]));
  const hand = handPerExample(params.map((p) => p.data), x, y);

  // The same gradients from all three, before timing.
  const got = batched(X, Y), looped = loop();
  hand.run();
  let worst = 0;
  got.forEach((g, k) => {
    const stacked = new Float64Array(g.size);
    looped.forEach((l, b) => stacked.set(l[k].data, b * l[k].size));
    worst = Math.max(worst, expectClose(`per-example gradient ${k}, vmap against the loop`, g.data, stacked, 1e-12));
    worst = Math.max(worst, expectClose(`per-example gradient ${k}, the floor against the loop`, hand.grads[k], stacked, 1e-12));
  });
  console.log(`  check: vmap, the loop and the floor give the same ${got.reduce((n, g) => n + g.size, 0)} values (max rel. error ${worst.toExponential(1)})`);

  const cases = await runSuite('per-example', [
    { name: CASES.vmap, fn: () => { batched(X, Y); } },
    { name: CASES.loop, fn: () => { loop(); } },
    { name: CASES.stacked, fn: () => { const g = loop(); params.forEach((_, k) => stack(g.map((l) => l[k]))); }, note: 'reference' },
    { name: CASES.hand, fn: hand.run },
  ]);
  const v = caseNamed(cases, CASES.vmap).median, l = caseNamed(cases, CASES.loop).median, h = caseNamed(cases, CASES.hand).median;
  return {
    suite: 'per-example',
    description: `per-example gradients of the 784-128-10 sigmoid MLP (every parameter), batch ${B}: vmap(grad) against a loop of grad`,
    cases,
    metrics: [
      { name: 'loop ÷ vmap (vmap speedup)', value: l / v, unit: '×', target: '≥ 5×', met: l / v >= 5 },
      { name: 'loop stacked ÷ vmap', value: caseNamed(cases, CASES.stacked).median / v, unit: '×' },
      { name: 'vmap ÷ hand-written floor', value: v / h, unit: '×' },
      { name: 'loop ÷ hand-written floor', value: l / h, unit: '×' },
    ],
  };
}
