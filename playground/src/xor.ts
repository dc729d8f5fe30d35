// The documents' XOR network (3-4-1, sigmoid units, no separate biases: the third input column is ones),
// trained one gradient-descent step at a time. The engine computes everything; this file only keeps the
// tensors of the latest pass so that the page can show their values and gradients.
import { nn, optim, profile, RandomState, Tensor, tensor, type Profile } from 'tensorgrad-ts';

export type LossName = 'mse' | 'bce';

export const X = tensor([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]);
export const Y = tensor([[0], [1], [1], [0]]);
const HALF = tensor(0.5); // the ½ of ½Σ(y − a)², a 0-d constant (as s.mul(0.5) would make)

/** The tensors of one forward and backward pass, named as in the documents (layer 1 is the input). */
export interface Pass {
  z2: Tensor; a2: Tensor; // hidden layer: z(2) = X·syn0, a(2) = σ(z(2))
  z3: Tensor; a3: Tensor; // output layer: z(3) = a(2)·syn1 = z(L), a(3) = a(L)
  loss: Tensor;
  syn0: Tensor; syn1: Tensor; // the weights the pass was computed from
  /** Every tensor of the graph, by the name the page gives it in the diagram. */
  names: Map<Tensor, string>;
  /**
   * The inputs of each tensor the page made with an op, in the op's order of operands, as the page wrote the
   * forward (the engine keeps its own list, but not in its public API): the step-through walks this graph.
   */
  inputs: Map<Tensor, readonly Tensor[]>;
}

/** Records the forward as it is written: each op's output with its name and the operands passed to it. */
class Recorder {
  readonly names = new Map<Tensor, string>();
  readonly inputs = new Map<Tensor, readonly Tensor[]>();
  leaf(t: Tensor, name: string): Tensor {
    this.names.set(t, name);
    return t;
  }
  /** out = f(...ins), kept with its operands; retainGrad() so that the drawing shows its gradient. */
  op(name: string, ins: Tensor[], f: (...xs: Tensor[]) => Tensor): Tensor {
    const out = f(...ins).retainGrad();
    this.names.set(out, name);
    this.inputs.set(out, ins);
    return out;
  }
}

/** One forward pass at weights syn0, syn1 under a loss, both losses summed over the four examples as in the numpy program. */
export function forward(lossName: LossName, syn0: Tensor, syn1: Tensor): Pass {
  const r = new Recorder();
  r.leaf(X, 'a(1) = X'); r.leaf(Y, 'y'); r.leaf(syn0, 'syn0 = Θ(1)ᵀ'); r.leaf(syn1, 'syn1 = Θ(2)ᵀ');
  const z2 = r.op('z(2)', [X, syn0], (x, w) => x.matmul(w));
  const a2 = r.op('a(2)', [z2], (z) => z.sigmoid());
  const z3 = r.op('z(3) = z(L)', [a2, syn1], (a, w) => a.matmul(w));
  const a3 = r.op('a(3) = a(L)', [z3], (z) => z.sigmoid());
  let loss: Tensor;
  if (lossName === 'mse') { // ½Σ(y − a)²: the program as written
    const each = r.op('per example', [a3, Y], (a, y) => nn.mseLoss(a, y, { reduction: 'none' }));
    const sum = r.op('Σ', [each], (e) => e.sum());
    loss = r.op('J', [sum, r.leaf(HALF, '½')], (s, h) => s.mul(h));
  } else { // −Σ[y log a + (1 − y) log(1 − a)]: the marked line replaced
    const each = r.op('per example', [a3, Y], (a, y) => nn.bceLoss(a, y, { reduction: 'none' }));
    loss = r.op('J', [each], (e) => e.sum());
  }
  return { z2, a2, z3, a3, loss, syn0, syn1, names: r.names, inputs: r.inputs };
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

  get lr(): number { return this.opt.lr; }
  setLearningRate(lr: number): void { this.opt = new optim.SGD([this.syn0, this.syn1], { lr }); }

  /** Apply the gradient of the current pass, then run the next pass. */
  step(): void {
    this.opt.step();
    this.steps++;
    this.forwardBackward();
  }

  /**
   * profile() of `steps` training steps of this network (each: forward, zeroGrad, backward, SGD step), run on a copy
   * of the current weights after a few warm-up steps of the copy: the page's own network is not stepped.
   */
  profileSteps(steps: number, warmUp = 20): Profile {
    const copy = (w: Tensor): Tensor => Tensor.from(new Float64Array(w.data), [...w.shape], { requiresGrad: true });
    const syn0 = copy(this.syn0), syn1 = copy(this.syn1), opt = new optim.SGD([syn0, syn1], { lr: this.lr });
    const step = (): void => {
      const { loss } = forward(this.lossName, syn0, syn1);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    };
    for (let i = 0; i < warmUp; i++) step();
    return profile(() => { for (let i = 0; i < steps; i++) step(); });
  }

  /** Forward and backward at the current weights; the gradients wait in .grad for the next update. */
  private forwardBackward(): void {
    const pass = forward(this.lossName, this.syn0, this.syn1);
    this.opt.zeroGrad();
    pass.loss.backward(undefined, { retainGraph: true }); // keep the graph for the diagram and the step-through
    this.losses.push(pass.loss.item());
    if (this.converged === null && Array.from(pass.a3.data).every((a, i) => Math.abs(a - Y.data[i]) < 0.1)) this.converged = this.steps;
    this.pass = pass;
  }
}
