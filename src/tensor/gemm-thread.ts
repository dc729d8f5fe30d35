// A second thread for large products: a worker that instantiates the same WebAssembly module on the same shared
// memory and runs the tile kernel on its share of the tiles while the calling thread runs the rest (results are
// identical: each C value is still summed by one thread in the same order). It is started on first need and
// becomes usable once it reports ready; until then, and wherever a worker, shared memory or a blocking wait is
// unavailable (a browser page without cross-origin isolation, an old Node), products run on one thread.
//
// Splitting pays only while the helper's core is free (measured at 128³–384³: 1.2–1.8× with it free, 0.7–0.9×
// when another process holds it, since the helper then starts late and the caller waits). So when the caller's
// wait outlasts its own half, the next jobs are refused (16, doubling while the lag repeats, up to 1024), and
// the helper is tried again after that.
//
// Protocol, over a small shared Int32Array: the caller writes a job's arguments, bumps SEQ and notifies; the
// worker runs the job, copies SEQ into DONE and notifies. One job at a time.

import { show } from './shape.ts';

const SEQ = 0, DONE = 1, STATE = 2, ARGS = 3, WORDS = 12; // the kernel's 9 arguments are words 3 .. 11
const READY = 1, FAILED = 2; // STATE: 0 while the worker starts
const BACK_OFF_MIN = 16, BACK_OFF_MAX = 1024;

// The worker's whole program: plain JavaScript with no imports, so that it runs from a string in Node
// (worker_threads, eval) and in browsers (a Blob URL). It blocks in Atomics.wait between jobs.
const WORKER = `
const start = ({ module, memory, ctrl }) => {
  const { kernel } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.store(ctrl, ${STATE}, ${READY});
  for (let seen = 0; ;) {
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    try {
      kernel(ctrl[3], ctrl[4], ctrl[5], ctrl[6], ctrl[7], ctrl[8], ctrl[9], ctrl[10], ctrl[11]);
    } catch {
      Atomics.store(ctrl, ${STATE}, ${FAILED});
    }
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
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
let seq = 0, posted = 0, backOff = 0, nextBackOff = BACK_OFF_MIN;
const blocking = SHARED && mayBlock();

/** Starts the helper on first call (asynchronously) and tells whether to hand it a job now. */
export function helperReady(module: object, memory: object): boolean {
  if (state === 'on') {
    if (backOff === 0) return Atomics.load(ctrl, STATE) === READY;
    backOff--;
    return false;
  }
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

/** Hands the helper the tile kernel's arguments; the caller runs its own half, then calls `finish`. */
export function post(...args: number[]): void {
  ctrl.set(args, ARGS);
  posted = performance.now();
  Atomics.store(ctrl, SEQ, ++seq);
  Atomics.notify(ctrl, SEQ);
}

/** Waits for the posted job (backing off if that took longer than the caller's half); throws if it failed in
 *  the helper (which then is not used again). */
export function finish(): void {
  const mine = performance.now();
  for (let done; (done = Atomics.load(ctrl, DONE)) !== seq;) {
    if (blocking) Atomics.wait(ctrl, DONE, done);
  }
  if (Atomics.load(ctrl, STATE) === FAILED) {
    state = 'off';
    throw new Error('gemm: the tile kernel failed in the helper thread');
  }
  if (mode === 'always') return;
  if (performance.now() - mine <= mine - posted) {
    nextBackOff = BACK_OFF_MIN;
  } else {
    backOff = nextBackOff;
    nextBackOff = Math.min(2 * nextBackOff, BACK_OFF_MAX);
  }
}

/** 'auto' (the default: split large blocks, backing off while the helper lags), 'always' (split every large
 *  block: tests and measurements) or 'off' (one thread), where the platform allows a helper at all. */
export function useHelper(use: 'auto' | 'always' | 'off'): void {
  backOff = 0;
  nextBackOff = BACK_OFF_MIN;
  if (use === 'off') {
    state = 'off';
    return;
  }
  mode = use;
  if (SHARED && state === 'off') state = ctrl.length === 0 ? 'idle' : 'on';
}

/**
 * How many threads large matrix products may use, as PyTorch's `torch.set_num_threads`: 1, or 2 (this thread and a
 * helper worker that takes half of each large block's tiles; a larger number is taken as 2, the most the engine
 * uses). The default is 2 where the platform allows a helper (Node, or a cross-origin-isolated page), backing off
 * to one thread while the other core is busy. Results are the same, bit for bit, with either.
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
