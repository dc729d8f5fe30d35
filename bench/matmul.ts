// matmul: C = A·B with 256×256 matrices, forward alone and forward + backward (dA = G·Bᵀ, dB = Aᵀ·G),
// the engine against the bench's best plain-loop kernel, and the forward against onnxruntime (native code,
// float64, one thread) when it loads. 2·256³ flops per product.
import { Tensor, noGrad, RandomState } from './engine.ts';
import { caseNamed, expectClose, F64_TOL, runSuite, type BenchCase, type Metric, type SuiteReport } from './common.ts';
import { gemmBlocked, gemmNaive } from './kernels.ts';
import { ortMatmul } from './onnx.ts';
import { runTorch, torchCase, torchName } from './torch.ts';

const N = 256;
const FLOP = 2 * N * N * N;

export const CASES = {
  engineFwd: 'engine forward (a.matmul(b); both cores, the default)',
  engineFwd1: 'engine forward, one thread (setNumThreads(1))',
  handFwd: 'hand blocked gemm forward (floor)',
  naiveFwd: 'hand naive i-k-j forward (reference)',
  engineBoth: 'engine forward+backward (matmul, backward(G))',
  handBoth: 'hand blocked gemm forward+backward (floor)',
  ortFwd: 'onnxruntime forward (native, float64, 1 thread)',
} as const;

export async function run(): Promise<SuiteReport> {
  console.log('\nmatmul: 256×256 · 256×256, forward and forward+backward');
  const rng = new RandomState(3);
  const A = rng.uniform(-1, 1, [N, N]), Bm = rng.uniform(-1, 1, [N, N]), G = rng.uniform(-1, 1, [N, N]);

  // Forward.
  const a = Tensor.from(A, [N, N]), b = Tensor.from(Bm, [N, N]);
  const engineFwd = (): Tensor => a.matmul(b);
  const C = new Float64Array(N * N), Cn = new Float64Array(N * N);
  const handFwd = (): void => { C.fill(0); gemmBlocked(N, N, N, A, 0, N, 1, Bm, 0, N, 1, C, 0); };
  const naiveFwd = (): void => { Cn.fill(0); gemmNaive(N, N, N, A, 0, N, 1, Bm, 0, N, 1, Cn, 0); };

  // Forward + backward, gradients zeroed each time as a training loop would.
  const ag = Tensor.from(Float64Array.from(A), [N, N], { requiresGrad: true });
  const bg = Tensor.from(Float64Array.from(Bm), [N, N], { requiresGrad: true });
  const gt = Tensor.from(G, [N, N]);
  let out: Tensor | null = null;
  const engineBoth = (): void => {
    ag.zeroGrad(); bg.zeroGrad();
    out = ag.matmul(bg);
    out.backward(gt);
  };
  const C2 = new Float64Array(N * N), gA = new Float64Array(N * N), gB = new Float64Array(N * N);
  const handBoth = (): void => {
    C2.fill(0); gemmBlocked(N, N, N, A, 0, N, 1, Bm, 0, N, 1, C2, 0);
    gA.fill(0); gemmBlocked(N, N, N, G, 0, N, 1, Bm, 0, 1, N, gA, 0); // G·Bᵀ
    gB.fill(0); gemmBlocked(N, N, N, A, 0, 1, N, G, 0, N, 1, gB, 0); // Aᵀ·G
  };

  // Checks, once: blocked against naive, the engine against blocked.
  handFwd(); naiveFwd(); handBoth();
  const log = (what: string, e: number): void => console.log(`  check ${what}: max rel. error ${e.toExponential(1)}`);
  log('hand blocked forward vs naive', expectClose('blocked vs naive', C, Cn, F64_TOL));
  log('engine forward', expectClose('engine forward', noGrad(engineFwd).data, C, F64_TOL));
  engineBoth();
  const gAn = new Float64Array(N * N), gBn = new Float64Array(N * N);
  gemmNaive(N, N, N, G, 0, N, 1, Bm, 0, 1, N, gAn, 0);
  gemmNaive(N, N, N, A, 0, 1, N, G, 0, N, 1, gBn, 0);
  log('hand blocked G·Bᵀ, Aᵀ·G vs naive', Math.max(expectClose('blocked G·Bᵀ', gA, gAn, F64_TOL), expectClose('blocked Aᵀ·G', gB, gBn, F64_TOL)));
  log('engine forward+backward', Math.max(
    expectClose('engine fwd+bwd C', out!.data, C2, F64_TOL),
    expectClose('engine dA', ag.grad!.data, gA, F64_TOL),
    expectClose('engine dB', bg.grad!.data, gB, F64_TOL)));

  const ort = await ortMatmul(N, N, N, A, Bm);
  if ('skipped' in ort) console.log(`  onnxruntime skipped: ${ort.skipped}`);
  else log('onnxruntime forward', expectClose('onnxruntime forward', await ort.run(), C, F64_TOL));

  const torch = runTorch([{ kind: 'matmul', n: N, a: A, b: Bm }])?.[0];
  if (torch) log('PyTorch forward', expectClose('PyTorch forward', torch.first.c!, C, F64_TOL));

  const peers: BenchCase[] = 'run' in ort ? [{ name: CASES.ortFwd, fn: ort.run, note: 'peer' }] : [];
  const cases = await runSuite('matmul', [
    { name: CASES.engineFwd, fn: () => { engineFwd(); } },
    { name: CASES.engineFwd1, fn: () => { engineFwd(); }, threads: 1 },
    { name: CASES.handFwd, fn: handFwd },
    { name: CASES.naiveFwd, fn: naiveFwd, note: 'reference' },
    { name: CASES.engineBoth, fn: engineBoth },
    { name: CASES.handBoth, fn: handBoth },
    ...peers,
  ]);
  const torchFwd = torchName('torch.mm forward');
  if (torch) cases.push(torchCase(torchFwd, torch));
  const gf = (name: string, flops: number): number => flops / caseNamed(cases, name).median / 1e9;
  const eF = gf(CASES.engineFwd, FLOP), e1 = gf(CASES.engineFwd1, FLOP), eB = gf(CASES.engineBoth, 3 * FLOP);
  const hF = gf(CASES.handFwd, FLOP), hB = gf(CASES.handBoth, 3 * FLOP);
  const vsOrt: Metric[] = []; // the peers
  if ('run' in ort) {
    const oF = gf(CASES.ortFwd, FLOP);
    vsOrt.push({ name: 'onnxruntime forward (peer)', value: oF, unit: 'GFLOP/s' },
      { name: 'engine one thread ÷ onnxruntime speed, forward', value: e1 / oF, unit: '×', target: '≥ 0.6×', met: e1 / oF >= 0.6 },
      { name: 'engine both cores ÷ onnxruntime speed, forward', value: eF / oF, unit: '×', target: '≥ 1×', met: eF / oF >= 1 });
  }
  if (torch) {
    const tF = gf(torchFwd, FLOP);
    vsOrt.push({ name: 'PyTorch forward (peer)', value: tF, unit: 'GFLOP/s' },
      { name: 'engine ÷ PyTorch, time, forward', value: tF / eF, unit: '×' });
  }
  return {
    suite: 'matmul',
    description: '256×256 · 256×256 forward (2·256³ flops) and forward+backward (3× that)',
    cases,
    metrics: [
      { name: 'engine forward', value: eF, unit: 'GFLOP/s', target: '≥ 4', met: eF >= 4 },
      { name: 'engine forward, one thread', value: e1, unit: 'GFLOP/s' },
      { name: 'engine forward, both cores ÷ one thread', value: eF / e1, unit: '×' },
      { name: 'engine forward+backward', value: eB, unit: 'GFLOP/s' },
      { name: 'hand blocked forward (floor)', value: hF, unit: 'GFLOP/s' },
      { name: 'hand blocked forward+backward (floor)', value: hB, unit: 'GFLOP/s' },
      { name: 'hand naive forward (reference)', value: gf(CASES.naiveFwd, FLOP), unit: 'GFLOP/s' },
      { name: 'engine ÷ floor, forward', value: hF / eF, unit: '×' },
      { name: 'engine ÷ floor, forward+backward', value: hB / eB, unit: '×' },
      ...vsOrt,
    ],
  };
}
