// graph-overhead: the engine's cost per graph node, where the arithmetic is negligible. A chain of 1000
// elementwise ops (500 × `.mul(1.0001).add(0.0001)`) on a 1×1 tensor that requires grad, forward + backward.
import { tensor, type Tensor } from './engine.ts';
import { caseNamed, expectClose, F64_TOL, runSuite, type SuiteReport } from './common.ts';
import { runTorch, torchCase, torchName } from './torch.ts';

const PAIRS = 500;
const NODES = 2 * PAIRS;
const X0 = 0.5, M = 1.0001, A = 0.0001;

export const CASES = {
  engine: 'engine (1000 ops + backward)',
  tape: 'minimal Float64Array tape (reference)',
  hand: 'hand loop: value and derivative (floor)',
} as const;

/**
 * A reference for what a dynamic graph costs in JavaScript at the least: each op allocates its output
 * Float64Array and pushes a backward closure onto a tape (a Wengert list, so no topological sort); backward
 * walks the tape in reverse, allocating each gradient buffer on first use, accumulating with +=.
 */
interface TapeValue { value: Float64Array; grad: Float64Array | null }
function minimalTape(): { run: () => void; value: () => number; grad: () => number } {
  const tape: (() => void)[] = [];
  const gradOf = (t: TapeValue): Float64Array => (t.grad ??= new Float64Array(t.value.length));
  const unaryOp = (x: TapeValue, f: (v: number) => number, df: number): TapeValue => {
    const v = new Float64Array(x.value.length);
    for (let i = 0; i < v.length; i++) v[i] = f(x.value[i]);
    const out: TapeValue = { value: v, grad: null };
    tape.push(() => {
      const g = out.grad!, gx = gradOf(x);
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * df;
    });
    return out;
  };
  const mul = (v: number): number => v * M, add = (v: number): number => v + A;
  const x: TapeValue = { value: new Float64Array([X0]), grad: null };
  let y = x;
  return {
    run: () => {
      x.grad?.fill(0);
      tape.length = 0;
      y = x;
      for (let k = 0; k < PAIRS; k++) y = unaryOp(unaryOp(y, mul, M), add, 1);
      gradOf(y)[0] = 1;
      for (let k = tape.length - 1; k >= 0; k--) tape[k]();
    },
    value: () => y.value[0],
    grad: () => x.grad![0],
  };
}

/** The engine's chain, forward and backward, and its current output. */
export function engineChain(): { step: () => void; x: Tensor; y: () => Tensor } {
  const x = tensor([[X0]], { requiresGrad: true });
  let y: Tensor = x;
  const step = (): void => {
    x.zeroGrad();
    y = x;
    for (let k = 0; k < PAIRS; k++) y = y.mul(M).add(A);
    y.backward();
  };
  return { step, x, y: () => y };
}

export async function run(): Promise<SuiteReport> {
  console.log(`\ngraph-overhead: a chain of ${NODES} elementwise ops on a 1×1 tensor, forward + backward`);
  const { step: engine, x, y: yOf } = engineChain();

  let hv = 0, hg = 0;
  const hand = (): void => {
    let v = X0;
    for (let k = 0; k < PAIRS; k++) v = v * M + A;
    let g = 1;
    for (let k = 0; k < PAIRS; k++) g = g * 1 * M; // add passes g through, mul scales it
    hv = v; hg = g;
  };
  const tape = minimalTape();

  engine(); hand(); tape.run();
  const e = Math.max(
    expectClose('engine value', yOf().data, [hv], F64_TOL), expectClose('engine grad', x.grad!.data, [hg], F64_TOL),
    expectClose('tape value', [tape.value()], [hv], F64_TOL), expectClose('tape grad', [tape.grad()], [hg], F64_TOL));
  console.log(`  check engine and tape: same value and dy/dx as the hand loop (max rel. error ${e.toExponential(1)})`);

  const torch = runTorch([{ kind: 'chain', pairs: PAIRS, x0: X0, m: M, a: A }])?.[0];
  if (torch) {
    const t = Math.max(expectClose('PyTorch value', [torch.first.value!], [hv], F64_TOL), expectClose('PyTorch grad', [torch.first.grad!], [hg], F64_TOL));
    console.log(`  check PyTorch: same value and dy/dx as the hand loop (max rel. error ${t.toExponential(1)})`);
  }

  const cases = await runSuite('graph-overhead', [
    { name: CASES.engine, fn: engine },
    { name: CASES.tape, fn: tape.run, note: 'reference' },
    { name: CASES.hand, fn: hand },
  ]);
  const torchChain = torchName('(1000 ops + backward)');
  if (torch) cases.push(torchCase(torchChain, torch));
  const perNode = (name: string): number => (caseNamed(cases, name).median / NODES) * 1e9;
  const eng = perNode(CASES.engine);
  return {
    suite: 'graph-overhead',
    description: `a chain of ${NODES} elementwise ops (alternating .mul(1.0001), .add(0.0001)) on a 1×1 tensor requiring grad, forward + backward`,
    cases,
    metrics: [
      { name: 'engine per node (forward + backward)', value: eng, unit: 'ns/node' },
      { name: 'minimal tape per node (reference)', value: perNode(CASES.tape), unit: 'ns/node' },
      { name: 'engine ÷ minimal tape', value: eng / perNode(CASES.tape), unit: '×', target: '≤ 1.5×', met: eng / perNode(CASES.tape) <= 1.5 },
      { name: 'hand loop per node (floor)', value: perNode(CASES.hand), unit: 'ns/node' },
      ...(torch ? [{ name: 'PyTorch per node (peer)', value: perNode(torchChain), unit: 'ns/node' },
        { name: 'engine ÷ PyTorch, time', value: eng / perNode(torchChain), unit: '×' }] : []),
    ],
  };
}
