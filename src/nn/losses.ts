// The losses. Each is defined with the ops (autograd/ops/losses.ts), where the documents' three carry their
// derivations beside their derivative rules, and the classification losses are written over logSoftmax and gather.
export {
  mseLoss, bceLoss, bceWithLogitsLoss, crossEntropyLoss, nllLoss, type Reduction, type LossOptions, type CrossEntropyOptions,
} from '../autograd/index.ts';
