// Gradient clipping: every gradient scaled down together so that their joint norm is at most maxNorm.
import { full, noGrad, stack, Tensor } from '../autograd/index.ts';

/**
 * Scale the .grad of each parameter in place by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the p-norm (default 2, or
 * Infinity) of all gradients taken as one vector; returns ‖g‖ as a 0-d tensor. PyTorch's clip_grad_norm_, in the
 * same steps: the norm of each gradient, then the norm of those norms. Call it between backward and the
 * optimizer's step.
 *
 * @example
 * ```ts
 * const w = tensor([0, 0], { requiresGrad: true });
 * w.mul(tensor([3, 4])).sum().backward();
 * nn.clipGradNorm([w], 1).item() // 5
 * w.grad // [0.6, 0.8]
 * ```
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): Tensor {
  if (!Array.isArray(params) || params.some((p) => !(p instanceof Tensor))) throw new Error('clipGradNorm: params must be an array of tensors (model.parameters())');
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new Error(`clipGradNorm: normType must be a number > 0 (or Infinity), got ${String(normType)}`);
  const grads = params.flatMap((p) => (p.grad === null ? [] : [p.grad]));
  return noGrad(() => {
    if (grads.length === 0) return Tensor.from(new Float64Array(1), []);
    const norm = (g: Tensor): Tensor => normType === Infinity ? g.abs().max()
      : normType === 2 ? g.square().sum().sqrt() : g.abs().pow(normType).sum().pow(1 / normType);
    const total = norm(stack(grads.map((g) => norm(g))));
    const coef = full([], maxNorm).div(total.add(1e-6)).clamp(-Infinity, 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}
