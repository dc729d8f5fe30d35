// Command-line options of examples/xor.ts: parsed strictly, validated, with a usage text.
import { parseArgs } from 'node:util';
import { integer, real } from '../args.ts';

export type LossName = 'mse' | 'bce';

export type OptimizerName = 'sgd' | 'newton' | 'lbfgs';

export interface Options {
  loss: LossName;
  optimizer: OptimizerName;
  steps: number;
  lr: number;
  hidden: number;
  /** Where the initial weights come from: nn.Linear's init with RandomState(seed), or NumPy's draws. */
  init: { kind: 'seed' | 'numpy'; seed: number };
  compare: boolean;
  plot: string | null;
  deltas: boolean;
  hessian: boolean;
  help: boolean;
}

export const DEFAULT_SEED = 1;

export const USAGE = `Usage: npm run xor -- [options]      (or: npx tsx examples/xor.ts [options])

Trains the documents' XOR network with the engine: X is 4×3 (the third column is ones, a bias),
y = [0, 1, 1, 0]ᵀ, H sigmoid hidden units, one sigmoid output, no separate biases, weights 2·U[0,1) − 1,
plain gradient descent (autograd + optim.SGD).

Options:
  --loss mse|bce     mse: ½Σ(y − ŷ)², the numpy program's marked line; output delta (a − y)·a·(1 − a)
                     bce: summed log loss −Σ[y log ŷ + (1 − y) log(1 − ŷ)]; output delta a − y
                     (default mse)
  --optimizer NAME   sgd: plain gradient descent (default)
                     newton: damped Newton (optim.DampedNewton: the exact Hessian of the loss over all
                     the weights, Levenberg–Marquardt damping); its steps are compared with gradient
                     descent's from the same weights
                     lbfgs: L-BFGS (optim.LBFGS, PyTorch's algorithm) with the strong Wolfe line
                     search, one iteration per step
  --steps N          steps (default 60000 for sgd, 100 for newton and lbfgs)
  --lr RATE          learning rate (default 1, as in the numpy program)
  --hidden H         hidden units (default 4)
  --seed S           initial weights from nn.Linear's uniform init with RandomState(S) (default ${DEFAULT_SEED});
                     Linear draws [in, out] in NumPy's order, so this equals --numpy-seed S
  --numpy-seed N     initial weights drawn explicitly as np.random.seed(N);
                     syn0 = 2*np.random.random((3,H)) - 1; syn1 = 2*np.random.random((H,1)) - 1
  --compare          train both losses from the same initial weights; report for each the steps until
                     every prediction is within 0.1 of its target, and the final loss
  --plot FILE.svg    write the loss curve(s) to FILE.svg (log-scale loss; two curves with --compare)
  --deltas           show the first step's output delta δ(L) = ∂loss/∂z(L), read from autograd with
                     retainGrad(), next to the hand formula for the loss
  --hessian          the exact Hessian of each loss with respect to all the weights (hessian(): a gradient
                     differentiated again), at the initial and the final weights: its smallest eigenvalue
                     (negative: the loss is not convex there, F13)
  -h, --help         show this help and exit

Examples:
  npm run xor
  npm run xor -- --loss bce --steps 2000 --deltas
  npm run xor -- --compare --steps 2000 --plot losses.svg
  npm run xor -- --compare --steps 2000 --hessian
  npm run xor -- --optimizer newton --loss bce
  npm run xor -- --optimizer lbfgs --compare
`;

/** Parse argv; throws an Error with a user-facing message on anything invalid. */
export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      loss: { type: 'string', default: 'mse' },
      optimizer: { type: 'string', default: 'sgd' },
      steps: { type: 'string' },
      lr: { type: 'string', default: '1' },
      hidden: { type: 'string', default: '4' },
      seed: { type: 'string' },
      'numpy-seed': { type: 'string' },
      compare: { type: 'boolean', default: false },
      plot: { type: 'string' },
      deltas: { type: 'boolean', default: false },
      hessian: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.loss !== 'mse' && values.loss !== 'bce') throw new Error(`--loss must be 'mse' or 'bce', got '${values.loss}'`);
  if (values.optimizer !== 'sgd' && values.optimizer !== 'newton' && values.optimizer !== 'lbfgs') {
    throw new Error(`--optimizer must be 'sgd', 'newton' or 'lbfgs', got '${values.optimizer}'`);
  }
  const lr = real('lr', values.lr, true);
  if (values.seed !== undefined && values['numpy-seed'] !== undefined) throw new Error('give either --seed or --numpy-seed, not both');
  const init = values['numpy-seed'] !== undefined
    ? { kind: 'numpy' as const, seed: integer('numpy-seed', values['numpy-seed'], 0, 2 ** 32 - 1) }
    : { kind: 'seed' as const, seed: values.seed === undefined ? DEFAULT_SEED : integer('seed', values.seed, 0, 2 ** 32 - 1) };
  if (values.plot !== undefined && values.plot.trim() === '') throw new Error('--plot needs a file name, e.g. --plot losses.svg');
  return {
    loss: values.loss,
    optimizer: values.optimizer,
    steps: integer('steps', values.steps ?? (values.optimizer === 'sgd' ? '60000' : '100'), 0),
    lr,
    hidden: integer('hidden', values.hidden, 1, 10000),
    init,
    compare: values.compare,
    plot: values.plot ?? null,
    deltas: values.deltas,
    hessian: values.hessian,
    help: values.help,
  };
}
