// WebAssembly as the kernels use it: the few types the library needs (TypeScript declares them only in its DOM
// library), and a module instantiated from its base64 bytes on a memory of its own or a given one.

interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => Memory;
}
/** A WebAssembly memory: its buffer (a new one after it grows, the old one then detached) and growth by pages. */
export interface Memory { readonly buffer: ArrayBuffer; grow(pages: number): number }
const { Module, Instance, Memory } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** A memory of `pages` 64 KiB pages, shared between threads or not, that never grows (so views of it stay valid)
 *  unless given a larger `maximum`. */
export const memoryOf = (pages: number, shared: boolean, maximum = pages): Memory => new Memory({ initial: pages, maximum, shared });

/** The module compiled from its base64 bytes. */
export const moduleOf = (base64: string): object => new Module(Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)));

/** The exports of `module` instantiated on `memory` (imported as env.memory). */
export const exportsOf = <E>(module: object, memory: { buffer: ArrayBuffer }): E => new Instance(module, { env: { memory } }).exports as E;
