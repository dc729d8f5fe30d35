// The public API of tensorgrad-ts.
export {
  Tensor, type Operand, tensor, zeros, ones, full, arange, rand, randn, manualSeed, type TensorOptions, type RandomOptions,
  where, maximum, minimum, cat, stack, dropout, linear, squaredError, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  noGrad, grad, type BackwardOptions, type GradOptions, hessian, hvp,
  gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckResult, defineOp, type OpSpec, toDot, type DotOptions, compile, type Compiled, type StepResult, RandomState, type Shape,
  fromNpy, type FloatDtype, type SliceSpec, type Index,
} from './autograd/index.ts';
export * as nn from './nn/index.ts';
export * as optim from './nn/optim.ts';
