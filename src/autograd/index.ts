// The autograd layer's public face: tensors, their ops, and differentiation.
export { Tensor, type Operand } from './tensor.ts';
export { TensorBase, type OpDef, type Rule } from './tensor-base.ts';
export { tensor, zeros, ones, full, arange, rand, randn, manualSeed, defaultRng, fromNpy, type TensorOptions, type RandomOptions } from './create.ts';
export type { FloatDtype } from '../tensor/bytes.ts';
export {
  where, maximum, minimum, cat, stack, dropout, linear, squaredError, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  mseLoss, bceLoss, bceWithLogitsLoss, crossEntropyLoss, nllLoss, type LossOptions, type Reduction, type CrossEntropyOptions,
} from './functions.ts';
export { noGrad } from './op.ts';
export { grad, type BackwardOptions, type GradOptions } from './backward.ts';
export { hessian, hvp } from './functional.ts';
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.ts';
export { defineOp, type OpSpec } from './define-op.ts';
export { toDot, type DotOptions } from './dot.ts';
export { compile, type Compiled, type StepResult } from './compile.ts';
export { RandomState } from '../tensor/random.ts';
export type { Shape } from '../tensor/shape.ts';
export type { SliceSpec } from './ops/slice.ts';
export type { Index } from './ops/gather.ts';
