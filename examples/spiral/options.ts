// Command-line options of examples/spiral.ts: parsed strictly, validated, with a usage text.
import { parseArgs } from 'node:util';
import { integer, real } from '../args.ts';

export interface Options {
  points: number;
  noise: number;
  hidden: number;
  steps: number;
  lr: number;
  seed: number;
  plot: string | null;
  help: boolean;
}

export const USAGE = `Usage: npm run spiral -- [options]      (or: npx tsx examples/spiral.ts [options])

Generates three interleaved spirals (seeded), trains an MLP 2 → H → H → 3 (ReLU) on them with softmax
cross-entropy (nn.crossEntropyLoss) and Adam, and prints the loss and training accuracy as it goes.

Options:
  --points N         points per class (default 100)
  --noise S          standard deviation of the noise on each point's angle, in radians (default 0.2)
  --hidden H         units in each hidden layer (default 32)
  --steps N          full-batch Adam steps (default 300)
  --lr RATE          Adam's learning rate (default 0.01)
  --seed S           seed of the RandomState that draws the data and then the initial weights (default 0)
  --plot FILE.svg    write the decision regions and the points to FILE.svg
  -h, --help         show this help and exit

Examples:
  npm run spiral
  npm run spiral -- --hidden 8 --steps 1000 --plot spiral.svg
`;

/** Parse argv; throws an Error with a user-facing message on anything invalid. */
export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      points: { type: 'string', default: '100' },
      noise: { type: 'string', default: '0.2' },
      hidden: { type: 'string', default: '32' },
      steps: { type: 'string', default: '300' },
      lr: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '0' },
      plot: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.plot !== undefined && values.plot.trim() === '') throw new Error('--plot needs a file name, e.g. --plot spiral.svg');
  return {
    points: integer('points', values.points, 2, 100000),
    noise: real('noise', values.noise, false),
    hidden: integer('hidden', values.hidden, 1, 10000),
    steps: integer('steps', values.steps, 1),
    lr: real('lr', values.lr, true),
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
    plot: values.plot ?? null,
    help: values.help,
  };
}
