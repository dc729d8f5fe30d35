// The public API of the autograd layer: every name the package exports at its top level, each declared once in
// the module that defines it (an op's function lives in its op file, beside its forward and rules).
export { Tensor, type Operand } from './tensor.ts';
export { tensor, zeros, ones, full, arange, rand, randn, fromNpy, type TensorOptions, type RandomOptions } from './create.ts';
export { RandomState, manualSeed, defaultRng } from '../tensor/random.ts';
export type { FloatDtype } from '../tensor/bytes.ts';
export type { Shape } from '../tensor/shape.ts';
export { where, maximum, minimum } from './ops/elementwise.ts';
export { gelu, silu, logSigmoid, leakyRelu, elu, softplus, hardtanh, type GeluOptions, type SoftplusOptions } from './ops/activations.ts';
export { pad, type PadMode } from './ops/pad.ts';
export { layerNorm } from './ops/layer-norm.ts';
export { embedding, type EmbeddingOptions } from './ops/embedding.ts';
export { squaredError, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './ops/losses.ts';
export { cat, stack } from './ops/join.ts';
export { dropout } from './ops/dropout.ts';
export { linear } from './ops/matmul.ts';
export type { SliceSpec } from './ops/slice.ts';
export type { Index } from './ops/gather.ts';
export { noGrad, enableGrad } from './op.ts';
export { grad, type BackwardOptions, type GradOptions } from './backward.ts';
export { hessian, hvp, vjp, jvp, jacobian, type JacobianOptions } from './functional.ts';
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.ts';
export { defineOp, type OpSpec } from './define-op.ts';
export { toDot, type DotOptions } from './dot.ts';
export { compile, type Compiled, type StepResult } from './compile.ts';
export { profile, recordFunction, isProfiling, Profile, type ProfileEvent, type ProfileRow, type Phase } from './profile.ts';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './anomaly.ts';
