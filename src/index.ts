// The public API of tensorgrad-ts.
export { Tensor, type Operand } from './tensor/tensor.ts';
export { tensor, zeros, ones, full, arange, rand, randn, manualSeed, type TensorOptions, type RandomOptions } from './tensor/create.ts';
export { RandomState } from './tensor/random.ts';
export type { Shape } from './tensor/shape.ts';
export { noGrad, type BackwardOptions } from './autograd/graph.ts';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.ts';
export { toDot, type DotOptions } from './autograd/dot.ts';
export * as nn from './nn/index.ts';
export * as optim from './nn/optim.ts';
