// onnxruntime (native, float64, one thread) as a peer for the matmul suite. The ONNX model, a single MatMul
// node, is encoded here by hand (a few protobuf fields), so no Python or onnx package is needed. The peer is
// optional: when onnxruntime-node cannot be loaded its case is skipped with a one-line notice.
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

// ——— the few protobuf encodings an ONNX model needs ———
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  out.push(n);
  return out;
};
const bytes = (field: number, body: number[]): number[] => [...varint(field * 8 + 2), ...varint(body.length), ...body];
const int = (field: number, n: number): number[] => [...varint(field * 8), ...varint(n)];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

const DOUBLE = 11; // TensorProto.DataType

/** ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: DOUBLE, shape { dim { dim_value }… } } } } */
const f64Value = (name: string, shape: number[]): number[] =>
  [...str(1, name), ...bytes(2, bytes(1, [...int(1, DOUBLE), ...bytes(2, shape.flatMap((d) => bytes(1, int(1, d))))]))];

/** ModelProto of Y = A·B with A [m,k], B [k,n], float64: IR version 8, default opset 13. */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const node = [...str(1, 'A'), ...str(1, 'B'), ...str(2, 'Y'), ...str(4, 'MatMul')];
  const graph = [...bytes(1, node), ...str(2, 'matmul'),
    ...bytes(11, f64Value('A', [m, k])), ...bytes(11, f64Value('B', [k, n])), ...bytes(12, f64Value('Y', [m, n]))];
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])]);
}

/** A ready MatMul session for A [m,k] · B [k,n] on one thread, or null (with the reason) when onnxruntime cannot load. */
export async function ortMatmul(m: number, k: number, n: number, a: Float64Array, b: Float64Array):
  Promise<{ run: () => Promise<Float64Array> } | { skipped: string }> {
  let ort: typeof Ort;
  try {
    ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
  } catch (e) {
    return { skipped: `onnxruntime-node not loadable (${(e as Error).message.split('\n')[0]})` };
  }
  const session = await ort.InferenceSession.create(matmulModel(m, k, n), {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feeds = { A: new ort.Tensor('float64', a, [m, k]), B: new ort.Tensor('float64', b, [k, n]) };
  return {
    run: async () => {
      const { Y } = await session.run(feeds);
      return Y.data as Float64Array;
    },
  };
}
