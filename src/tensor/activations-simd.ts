// The WebAssembly module of activations.wat: σ and tanh over runs of values written into its memory, two lanes
// at a time (the recurrent layers' gate arithmetic; Math.exp and Math.tanh cost 9–28 ns a value here).
import { ACTIVATIONS_WASM } from './activations-wasm.ts';
import { exportsOf, memoryOf, moduleOf } from './wasm.ts';

interface Exports { sigmoid(n: number, at: number): void; tanh(n: number, at: number): void }
const PAGES = 16;
const memory = memoryOf(PAGES, false);
const kernels = exportsOf<Exports>(moduleOf(ACTIVATIONS_WASM), memory);

/** The module's memory as float64s: values are written here, then mapped in place. */
export const lanes = new Float64Array(memory.buffer);

/** lanes[at .. at + n) = σ of themselves. The lane after them must be free (an odd n maps it too). */
export const sigmoidLanes = (at: number, n: number): void => kernels.sigmoid(n, 8 * at);
/** lanes[at .. at + n) = tanh of themselves, as sigmoidLanes. */
export const tanhLanes = (at: number, n: number): void => kernels.tanh(n, 8 * at);
