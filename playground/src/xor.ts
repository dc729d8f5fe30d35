// The documents' XOR network (3-4-1, sigmoid units, no separate biases: the third input column is ones),
// trained one gradient-descent step at a time. The engine computes everything; this file only keeps the
// tensors of the latest pass so that the page can show their values and gradients.
import { nn, optim, RandomState, tensor, type Tensor } from 'tensorgrad-ts';

export type LossName = 'mse' | 'bce';

export const X = tensor([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]);
export const Y = tensor([[0], [1], [1], [0]]);

/** The tensors of one forward and backward pass, named as in the documents (layer 1 is the input). */
export interface Pass {
  z2: Tensor; a2: Tensor; // hidden layer: z(2) = X·syn0, a(2) = σ(z(2))
  z3: Tensor; a3: Tensor; // output layer: z(3) = a(2)·syn1 = z(L), a(3) = a(L)
  loss: Tensor;
  /** Every tensor of the graph that the page names in the diagram. */
  names: Map<Tensor, string>;
}

/** The two losses, summed over the four examples as in the numpy program. */
function lossOf(name: LossName, a: Tensor): { loss: Tensor; parts: Tensor[] } {
  if (name === 'mse') { // ½Σ(y − a)²: the program as written
    const each = nn.mseLoss(a, Y, { reduction: 'none' }).retainGrad(), sum = each.sum().retainGrad();
    return { loss: sum.mul(0.5), parts: [each, sum] };
  }
  const each = nn.bceLoss(a, Y, { reduction: 'none' }).retainGrad(); // −Σ[y log a + (1 − y) log(1 − a)]
  return { loss: each.sum(), parts: [each] };
}

export class Trainer {
  readonly syn0: Tensor;
  readonly syn1: Tensor;
  /** Updates made so far; losses[s] is the loss after s updates. */
  steps = 0;
  readonly losses: number[] = [];
  /** The first step count at which every prediction was within 0.1 of its target. */
  converged: number | null = null;
  pass!: Pass;
  private opt: optim.SGD;

  constructor(readonly lossName: LossName, seed: number, lr: number) {
    // Linear draws its [in, out] weight as 2·U[0,1) − 1 in NumPy's order, so this is
    // np.random.seed(seed); syn0 = 2*np.random.random((3,4)) - 1; syn1 = 2*np.random.random((4,1)) - 1.
    const rng = new RandomState(seed);
    this.syn0 = new nn.Linear(3, 4, { bias: false, rng }).weight;
    this.syn1 = new nn.Linear(4, 1, { bias: false, rng }).weight;
    this.opt = new optim.SGD([this.syn0, this.syn1], { lr });
    this.forwardBackward();
  }

  setLearningRate(lr: number): void { this.opt = new optim.SGD([this.syn0, this.syn1], { lr }); }

  /** Apply the gradient of the current pass, then run the next pass. */
  step(): void {
    this.opt.step();
    this.steps++;
    this.forwardBackward();
  }

  /** Forward and backward at the current weights; the gradients wait in .grad for the next update. */
  private forwardBackward(): void {
    const z2 = X.matmul(this.syn0).retainGrad(), a2 = z2.sigmoid().retainGrad();
    const z3 = a2.matmul(this.syn1).retainGrad(), a3 = z3.sigmoid().retainGrad();
    const { loss, parts } = lossOf(this.lossName, a3);
    loss.retainGrad();
    this.opt.zeroGrad();
    loss.backward(undefined, { retainGraph: true }); // keep the graph's structure for the diagram
    this.losses.push(loss.item());
    if (this.converged === null && Array.from(a3.data).every((a, i) => Math.abs(a - Y.data[i]) < 0.1)) this.converged = this.steps;
    const names = new Map<Tensor, string>([
      [X, 'a(1) = X'], [Y, 'y'], [this.syn0, 'syn0 = Θ(1)ᵀ'], [this.syn1, 'syn1 = Θ(2)ᵀ'],
      [z2, 'z(2)'], [a2, 'a(2)'], [z3, 'z(3) = z(L)'], [a3, 'a(3) = a(L)'], [loss, 'J'],
      [parts[0], 'per example'],
    ]);
    this.pass = { z2, a2, z3, a3, loss, names };
  }
}
