// memory: 100000 XOR training steps with the engine (the xor-step engine case), heapUsed after a forced GC
// at the start, after 1000 warm-up steps (compiled code and inline caches settle there), and at the end.
// Needs --expose-gc, so bench/run.ts starts it as a child:  node --expose-gc --import tsx bench/memory.ts
// It prints one JSON line on stdout. BENCH_MEMORY_STEPS overrides the step count.
import { engineXor } from './xor-step.ts';

export interface MemoryResult {
  steps: number;
  heapStart: number;
  heapWarm: number;
  heapEnd: number;
  ms: number;
  finalLoss: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('bench/memory.ts: run with node --expose-gc --import tsx bench/memory.ts');
  process.exit(2);
}
const heap = (): number => {
  gc(); gc();
  return process.memoryUsage().heapUsed;
};

const steps = Number(process.env.BENCH_MEMORY_STEPS ?? 100_000);
const WARM = Math.min(1000, steps);
const t = engineXor();
const heapStart = heap();
let t0 = performance.now();
for (let i = 0; i < WARM; i++) t.step();
let ms = performance.now() - t0;
const heapWarm = heap();
t0 = performance.now();
for (let i = WARM; i < steps; i++) t.step();
ms += performance.now() - t0; // stepping time only, without the forced collections
const heapEnd = heap();
const result: MemoryResult = { steps, heapStart, heapWarm, heapEnd, ms, finalLoss: t.checkedStep() };
process.stdout.write(`${JSON.stringify(result)}\n`);
