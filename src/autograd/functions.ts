// Ops of several tensors, as package-level functions (the rest are Tensor methods).
import { Tensor, type Operand } from './tensor.ts';
import * as ew from './ops/elementwise.ts';
import * as losses from './ops/losses.ts';
import * as mm from './ops/matmul.ts';
import * as join from './ops/join.ts';
import * as drop from './ops/dropout.ts';
import { defaultRng } from './create.ts';
import type { RandomState } from '../tensor/random.ts';

/** a where cond is non-zero, else b; all three broadcast. */
export const where = (cond: Tensor, a: Operand, b: Operand): Tensor => ew.where(cond, a, b);
/** The larger of a and b, elementwise (broadcasting); the gradient is split evenly on ties. */
export const maximum = (a: Operand, b: Operand): Tensor => ew.maximum<Tensor>(a, b);
/** The smaller of a and b, elementwise (broadcasting); the gradient is split evenly on ties. */
export const minimum = (a: Operand, b: Operand): Tensor => ew.minimum<Tensor>(a, b);

/** The tensors joined along an existing axis (their other dims must agree). */
export const cat = (tensors: Tensor[], axis = 0): Tensor => join.cat(tensors, axis);
/** The tensors, all of one shape, joined along a new axis. */
export const stack = (tensors: Tensor[], axis = 0): Tensor => join.stack(tensors, axis);

/** Each element zeroed with probability p and the others scaled by 1/(1 − p), drawing from rng (default: the global generator). */
export const dropout = (x: Tensor, p = 0.5, opts: { rng?: RandomState } = {}): Tensor => drop.dropout(x, p, opts.rng ?? defaultRng());

/** x·W + b for x [..., K], W [K, N], b [N], in one op (like PyTorch's addmm). */
export const linear = (x: Tensor, w: Tensor, b: Tensor): Tensor => mm.linear(x, w, b);

/** (p − y)², elementwise. */
export const squaredError = (p: Tensor, y: Operand): Tensor => losses.squaredError<Tensor>(p, y);
/** −[y log p + (1 − y) log(1 − p)], elementwise, logs clamped at −100 (as PyTorch). */
export const binaryCrossEntropy = (p: Tensor, y: Operand): Tensor => losses.binaryCrossEntropy<Tensor>(p, y);
/** The same with p = σ(z), computed stably from the logits z; its derivative is σ(z) − y. */
export const binaryCrossEntropyWithLogits = (z: Tensor, y: Operand): Tensor => losses.binaryCrossEntropyWithLogits<Tensor>(z, y);

/** Mean (default), sum or each ('none') of (p − y)². */
export const mseLoss = (pred: Tensor, target: Tensor, opts?: losses.LossOptions): Tensor => losses.mseLoss(pred, target, opts);
/** Binary cross-entropy of probabilities, logs clamped at −100 (as PyTorch); targets in [0, 1]. */
export const bceLoss = (prob: Tensor, target: Tensor, opts?: losses.LossOptions): Tensor => losses.bceLoss(prob, target, opts);
/** Binary cross-entropy from logits, computed stably; its derivative is σ(z) − y, the documents' a − y. */
export const bceWithLogitsLoss = (logits: Tensor, target: Tensor, opts?: losses.LossOptions): Tensor => losses.bceWithLogitsLoss(logits, target, opts);
/** Cross-entropy of logits against class indices or probabilities, through logSoftmax (labelSmoothing as PyTorch). */
export const crossEntropyLoss = (logits: Tensor, target: Tensor, opts?: losses.CrossEntropyOptions): Tensor => losses.crossEntropyLoss(logits, target, opts);
/** −logProbs[n, target[n]], reduced. */
export const nllLoss = (logProbs: Tensor, target: Tensor, opts?: losses.LossOptions): Tensor => losses.nllLoss(logProbs, target, opts);
export type { CrossEntropyOptions, LossOptions, Reduction } from './ops/losses.ts';
