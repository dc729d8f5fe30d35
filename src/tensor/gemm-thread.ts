// A second thread for large products: a worker that instantiates the same WebAssembly module on the same shared
// memory and runs the tile kernel on chunks of a block's tiles while the calling thread runs others (results are
// identical: each C value is still summed by one thread in the same order). It is started on first need and
// becomes usable once it reports ready; until then, and wherever a worker, shared memory or a blocking wait is
// unavailable (a browser page without cross-origin isolation, an old Node), products run on one thread.
//
// The chunks are taken one at a time from a shared counter, by both threads, until none is left (as OpenMP's
// dynamic schedule): the helper wakes tens of µs after a job is posted, and on this VM its core may run slower than
// the caller's, so a fixed half for each would leave the caller waiting; taken this way, each thread does what it
// has time for, and a helper that wakes after the last chunk was taken does nothing.
//
// Whether splitting pays at all is measured, not assumed: on a shared machine two threads can be slower than one
// (another process holds the other core, or the two virtual cores share one physical core). The time per tile step
// of split blocks and of blocks run on this thread alone are kept as running means; a large block is split while
// that is the faster, and one block in EXPLORE is run the other way, so that both means follow the machine's load.
//
// Protocol, over a small shared Int32Array: the caller writes a job's arguments, its number into NEXT (whose low 16
// bits count the chunks taken), zeroes DONE, bumps SEQ and notifies; each thread takes chunks by compare-exchange on
// NEXT (so a thread still holding an older job's number takes none of a newer job) and counts each chunk it finishes
// in DONE; the caller returns once DONE reaches the chunk count. One job at a time.

import { show } from './shape.ts';

const SEQ = 0, STATE = 1, NEXT = 2, DONE = 3, HELPED = 4, ARGS = 5, WORDS = ARGS + 12; // args: the kernel's 9, by rows, step, count
const READY = 1, FAILED = 2; // STATE: 0 while the worker starts
/** One large block in EXPLORE is run the way not preferred, so that both running means stay current. */
const EXPLORE = 16;

/** The tile kernel of gemm.wat (arguments in its order). */
type Kernel = (mt: number, nt: number, kc: number, a: number, b: number, bts: number, bks: number, c: number, ldc: number) => void;

/**
 * Take chunks of job `job` from the counter and run them until none is left (the helper counts its own in HELPED).
 * A chunk is `step` tile rows (or tile columns) of the block, the last one shorter. Both threads run this function,
 * the helper from its source text, so it refers to nothing outside itself (word numbers as literals: SEQ … ARGS).
 */
function takeChunks(ctrl: Int32Array<ArrayBufferLike>, job: number, kernel: Kernel, helper: boolean): void {
  const mt = ctrl[5], nt = ctrl[6], kc = ctrl[7], a = ctrl[8], b = ctrl[9], bts = ctrl[10], bks = ctrl[11];
  const c = ctrl[12], ldc = ctrl[13], byRows = ctrl[14] === 1, step = ctrl[15], count = ctrl[16];
  for (;;) {
    let taken;
    do {
      taken = Atomics.load(ctrl, 2);
      if (taken >>> 16 !== job || (taken & 0xffff) >= count) return;
    } while (Atomics.compareExchange(ctrl, 2, taken, taken + 1) !== taken);
    const first = (taken & 0xffff) * step;
    if (byRows) kernel(Math.min(step, mt - first), nt, kc, a + first * 32 * kc, b, bts, bks, c + first * 4 * ldc, ldc);
    else kernel(mt, Math.min(step, nt - first), kc, a, b + first * bts, bts, bks, c + first * 32, ldc);
    if (helper) Atomics.add(ctrl, 4, 1); // HELPED, before DONE: counted once the caller sees the job done
    Atomics.add(ctrl, 3, 1);
    Atomics.notify(ctrl, 3);
  }
}

// The worker's whole program: plain JavaScript with no imports, so that it runs from a string in Node
// (worker_threads, eval) and in browsers (a Blob URL). It blocks in Atomics.wait between jobs (it does not spin:
// where the two cores are one physical core's two threads, as on this VM, a spinning helper slows the caller 1.5×).
const WORKER = `
const takeChunks = ${takeChunks.toString()};
const start = ({ module, memory, ctrl }) => {
  const { kernel } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.store(ctrl, ${STATE}, ${READY});
  for (let seen = 0; ;) {
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    try {
      takeChunks(ctrl, seen & 0x7fff, kernel, true);
    } catch {
      Atomics.store(ctrl, ${STATE}, ${FAILED});
      Atomics.add(ctrl, ${DONE}, 1); // the chunk that failed: the caller stops waiting for it
      Atomics.notify(ctrl, ${DONE});
      return;
    }
  }
};
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

// The platform pieces used, typed here (the library is compiled without the DOM library).
interface Port { postMessage(message: unknown): void }
type NodeWorker = Port & { unref(): void; on(event: string, listener: (e: unknown) => void): void };
interface Platform {
  process?: { getBuiltinModule?: (id: string) => { Worker: new (code: string, options: { eval: true }) => NodeWorker } | undefined };
  Worker?: new (url: string) => Port & { onerror: ((e: unknown) => void) | null };
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string };
  crossOriginIsolated?: boolean;
}
const platform = globalThis as unknown as Platform;

/** How to start a worker from the string above here, or null when this platform cannot. */
function workerFactory(): (() => Port) | null {
  const threads = platform.process?.getBuiltinModule?.('node:worker_threads');
  if (threads !== undefined) {
    return () => {
      const worker = new threads.Worker(WORKER, { eval: true });
      worker.unref(); // an idle helper must not keep the process alive
      worker.on('error', () => { state = 'off'; });
      return worker;
    };
  }
  const { Worker, Blob, URL } = platform;
  if (Worker !== undefined && Blob !== undefined && URL !== undefined && platform.crossOriginIsolated === true) {
    return () => {
      const worker = new Worker(URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' })));
      worker.onerror = () => { state = 'off'; };
      return worker;
    };
  }
  return null;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread); else it spins. */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

const spawn = typeof SharedArrayBuffer === 'function' ? workerFactory() : null;
/** Whether the module should get a shared memory (so that a helper thread can be started later). */
export const SHARED = spawn !== null;

let state: 'idle' | 'on' | 'off' = SHARED ? 'idle' : 'off';
let mode: 'auto' | 'always' = 'auto';
let ctrl: Int32Array<ArrayBufferLike> = new Int32Array(0);
let seq = 0;
let soloCost = 0, splitCost = 0, jobs = 0; // ms per tile step (0: not measured yet); large blocks seen
const blocking = SHARED && mayBlock();

/** Starts the helper on first call (asynchronously) and tells whether to hand it a job now. */
export function helperReady(module: object, memory: object): boolean {
  if (state === 'on') return Atomics.load(ctrl, STATE) === READY;
  if (state === 'off') return false;
  try {
    ctrl = new Int32Array(new SharedArrayBuffer(4 * WORDS));
    spawn!().postMessage({ module, memory, ctrl });
    state = 'on';
  } catch {
    state = 'off';
  }
  return false;
}

/**
 * Run the tile kernel over a block of mt×nt tiles (arguments as gemm.wat's `kernel`) in `count` chunks of `step`
 * tile rows (byRows) or tile columns, on this thread and the helper's; returns once every chunk is done. Throws if
 * a chunk failed in the helper (which then is not used again).
 */
export function split(kernel: Kernel, mt: number, nt: number, kc: number, a: number, b: number, bts: number, bks: number,
  c: number, ldc: number, byRows: boolean, step: number, count: number): void {
  const job = ++seq & 0x7fff;
  const args = ctrl.subarray(ARGS);
  args[0] = mt; args[1] = nt; args[2] = kc; args[3] = a; args[4] = b; args[5] = bts; args[6] = bks; args[7] = c; args[8] = ldc;
  args[9] = byRows ? 1 : 0; args[10] = step; args[11] = count;
  Atomics.store(ctrl, DONE, 0);
  Atomics.store(ctrl, NEXT, job << 16);
  Atomics.store(ctrl, SEQ, seq);
  Atomics.notify(ctrl, SEQ);
  // 'always' (tests, measurements): the helper takes the first chunk, so that every split block runs on both threads.
  while (mode === 'always' && (Atomics.load(ctrl, NEXT) & 0xffff) === 0 && Atomics.load(ctrl, STATE) !== FAILED);
  takeChunks(ctrl, job, kernel, false);
  for (let done; (done = Atomics.load(ctrl, DONE)) !== count;) {
    if (Atomics.load(ctrl, STATE) === FAILED) break;
    if (blocking) Atomics.wait(ctrl, DONE, done);
  }
  if (Atomics.load(ctrl, STATE) === FAILED) {
    state = 'off';
    throw new Error('gemm: the tile kernel failed in the helper thread');
  }
}

/** Whether to split the next large block with the ready helper: while that has been the faster (one thread is
 *  measured first, then two), except one block in EXPLORE; 'always' splits every one. */
export function splitNext(): boolean {
  if (mode === 'always') return true;
  if (soloCost === 0) return false;
  if (splitCost === 0) return true;
  return (splitCost <= soloCost) !== (++jobs % EXPLORE === 0);
}

/** Record that a large block of `steps` tile steps took `ms`, split (`both`) or on this thread alone. */
export function measured(both: boolean, ms: number, steps: number): void {
  const cost = ms / steps;
  if (both) splitCost = splitCost === 0 ? cost : splitCost + (cost - splitCost) / 4;
  else soloCost = soloCost === 0 ? cost : soloCost + (cost - soloCost) / 4;
}

/** How many chunks the helper thread has run since it started (for tests and measurements). */
export const helperChunks = (): number => (ctrl.length === 0 ? 0 : Atomics.load(ctrl, HELPED));

/** 'auto' (the default: split large blocks while that is measured faster), 'always' (split every large block:
 *  tests and measurements) or 'off' (one thread), where the platform allows a helper at all. */
export function useHelper(use: 'auto' | 'always' | 'off'): void {
  soloCost = splitCost = jobs = 0;
  if (use === 'off') {
    state = 'off';
    return;
  }
  mode = use;
  if (SHARED && state === 'off') state = ctrl.length === 0 ? 'idle' : 'on';
}

/**
 * How many threads large matrix products may use, as PyTorch's `torch.set_num_threads`: 1, or 2 (this thread and a
 * helper worker that takes chunks of each large block's tiles; a larger number is taken as 2, the most the engine
 * uses). The default is 2 where the platform allows a helper (Node, or a cross-origin-isolated page), used while it
 * is measured to make products faster (not while another process holds the other core). Results are the same, bit for bit, with either.
 *
 * @example
 * ```ts
 * setNumThreads(1);
 * getNumThreads() // 1
 * setNumThreads(2);
 * setNumThreads(0) // throws 'an integer ≥ 1'
 * ```
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`setNumThreads: expected an integer ≥ 1 (1, or 2 for a helper thread), got ${show(n)}`);
  }
  useHelper(n === 1 ? 'off' : 'auto');
}

/**
 * How many threads large matrix products may use now (see {@link setNumThreads}): 2 where a helper thread is
 * allowed and not switched off, else 1.
 *
 * @example
 * ```ts
 * setNumThreads(1);
 * getNumThreads() // 1
 * setNumThreads(2);
 * ```
 */
export function getNumThreads(): number {
  return state === 'off' ? 1 : 2;
}
