// TensorFlow.js for the comparison cases: both backends initialised once, and a cheap switch between them.
//
// - The union package '@tensorflow/tfjs' registers the cpu backend and all gradients; importing
//   '@tensorflow/tfjs-backend-wasm' registers 'wasm'. In Node the wasm backend finds its .wasm binaries next to
//   its own dist file by default (SIMD build; no threads, as Node lacks cross-origin isolation): no setWasmPaths.
// - A tfjs backend is global. tf.setBackend() is async only the first time (initialisation); for a backend
//   already initialised it switches synchronously, so each tfjs case's hot function selects its backend with
//   `use()` (a string compare when it is already active), and the switch happens once per case, before timing.
// - The cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js…" banner on first use;
//   it is filtered out of console.warn (only that message).
import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;
export type TfBackend = 'cpu' | 'wasm';

let loaded: Tf | null = null;

export async function loadTf(): Promise<Tf> {
  if (loaded !== null) return loaded;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
    warn(...args);
  };
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  for (const name of ['wasm', 'cpu'] as const) {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend '${name}' failed to initialise`);
  }
  loaded = tf;
  return tf;
}

/** Make `name` the active backend (synchronous for an initialised backend). */
export function use(tf: Tf, name: TfBackend): void {
  if (tf.getBackend() === name) return;
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`tfjs: could not switch to backend '${name}' synchronously`);
}

/** Throws if `step` leaves tensors behind (run a few times, count live tensors). */
export function expectNoLeak(tf: Tf, what: string, step: () => void): void {
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${what}: leaks ${(after - before) / 5} tensors per step`);
}

export const f32 = (x: ArrayLike<number>): Float32Array => Float32Array.from(x);
