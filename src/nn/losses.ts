// The losses. Each is defined with the ops (autograd/ops/losses.ts), where the documents' three carry their
// derivations beside their derivative rules, and the classification losses are written over logSoftmax and gather.
// nn takes them from the op file itself, where each is declared once: they are the package's `nn.mseLoss`, … (as
// PyTorch's torch.nn.functional), not top-level names.
export {
  mseLoss, bceLoss, bceWithLogitsLoss, crossEntropyLoss, nllLoss, type Reduction, type LossOptions, type CrossEntropyOptions,
} from '../autograd/ops/losses.ts';
