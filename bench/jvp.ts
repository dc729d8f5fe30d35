// jvp: forward mode's cost. The 784-128-10 sigmoid MLP of mlp-step (batch 64, its loss ½Σ(y − ŷ)²) as a function
// of its parameters: the plain forward pass (no graph), against jvp along a tangent for every parameter, which
// carries each op's tangent beside its value in the same pass. Target: jvp at most 3× the forward pass.
import { jvp, linear, nn, noGrad, RandomState, Tensor } from './engine.ts';
import { caseNamed, runSuite, type SuiteReport } from './common.ts';
import { mlpData } from './mlp-step.ts';

const IN = 784, H = 128, OUT = 10, B = 64;

export const CASES = {
  forward: 'forward pass (no graph)',
  jvp: 'jvp: forward pass carrying tangents of all parameters',
} as const;

export async function run(): Promise<SuiteReport> {
  console.log(`\njvp: forward mode on the 784-128-10 sigmoid MLP, batch ${B}, against its plain forward pass`);
  const { x, y } = mlpData(B);
  const rng = new RandomState(1);
  const l0 = new nn.Linear(IN, H, { init: 'xavier', rng }), l1 = new nn.Linear(H, OUT, { init: 'xavier', rng });
  const params = [l0.weight, l0.bias!, l1.weight, l1.bias!].map((p) => p.detach());
  const tangents = params.map((p, i) => Tensor.from(new RandomState(10 + i).uniform(-1, 1, [...p.shape]), [...p.shape]));
  const xs = Tensor.from(x, [B, IN]), ys = Tensor.from(y, [B, OUT]);
  const loss = (w0: Tensor, b0: Tensor, w1: Tensor, b1: Tensor): Tensor =>
    nn.mseLoss(linear(linear(xs, w0, b0).sigmoid(), w1, b1).sigmoid(), ys, { reduction: 'sum' }).mul(0.5);
  // The tangent against central differences of the loss, so the bench times a correct jvp.
  const [value, dLoss] = jvp(loss, params, tangents);
  const eps = 1e-6, at = (s: number): number => noGrad(() => loss(...params.map((p, i) => p.add(tangents[i].mul(s * eps))) as [Tensor, Tensor, Tensor, Tensor]).item());
  const fd = (at(1) - at(-1)) / (2 * eps);
  if (!(Math.abs(dLoss.item() - fd) <= 1e-6 * Math.max(1, Math.abs(fd)))) throw new Error(`jvp bench: tangent ${dLoss.item()} vs differences ${fd}`);
  if (value.item() !== noGrad(() => loss(...(params as [Tensor, Tensor, Tensor, Tensor]))).item()) throw new Error('jvp bench: value differs from the forward pass');

  const cases = await runSuite('jvp', [
    { name: CASES.forward, fn: () => { noGrad(() => loss(...(params as [Tensor, Tensor, Tensor, Tensor]))); } },
    { name: CASES.jvp, fn: () => { jvp(loss, params, tangents); } },
  ]);
  const ratio = caseNamed(cases, CASES.jvp).median / caseNamed(cases, CASES.forward).median;
  return {
    suite: 'jvp',
    description: `forward mode on the 784-128-10 sigmoid MLP (batch ${B}, ½Σ(y − ŷ)²): jvp along all parameters against the forward pass`,
    cases,
    metrics: [{ name: 'jvp ÷ forward pass', value: ratio, unit: '×', target: '≤ 3×', met: ratio <= 3 }],
  };
}
