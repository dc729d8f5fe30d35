// The public API of tensorgrad-ts: tensors and differentiation at the top level, layers and losses under `nn`,
// optimizers under `optim`.
export * from './autograd/index.ts';
export * as nn from './nn/index.ts';
export * as optim from './nn/optim.ts';
export * as data from './nn/data.ts'; // datasets and batches (torch.utils.data)
