// The three losses of the documents (defined with the ops, in autograd/ops/losses.ts, where each one's
// derivation is written beside its derivative rule).
export { mseLoss, bceLoss, bceWithLogitsLoss, type Reduction, type LossOptions } from '../autograd/index.ts';
