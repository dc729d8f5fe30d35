// Command-line options of examples/sequence.ts: parsed strictly, validated, with a usage text.
import { parseArgs } from 'node:util';
import { integer, real } from '../args.ts';

export type Cell = 'lstm' | 'gru';

export interface Options {
  cell: Cell;
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  heldOut: number;
  help: boolean;
}

export const USAGE = `Usage: npm run sequence -- [options]      (or: npx tsx examples/sequence.ts [options])

Trains a recurrent network to add two 8-bit numbers: each step reads one bit of each number, least significant
first, and predicts that bit of the sum (9 steps, the last one reading zeros for the carry). A layer of nn.LSTM
(or nn.GRU) feeds a linear head per step; the loss is nn.bceWithLogitsLoss on the bits, minimised by Adam on
random pairs. Some pairs are held out of training, and the network is scored on them at the end: a sum counts
when all 9 of its bits are right.

Options:
  --cell lstm|gru    the recurrent layer (default lstm)
  --hidden H         the size of its state (default 16)
  --steps N          Adam steps (default 400)
  --batch B          random training pairs per step (default 64)
  --lr RATE          Adam's learning rate (default 0.02)
  --seed S           seed of the RandomState that draws the held-out pairs, the weights and the batches (default 0)
  --held-out N       pairs kept out of training and scored at the end (default 1000)
  -h, --help         show this help and exit

Examples:
  npm run sequence
  npm run sequence -- --cell gru --hidden 8 --steps 800
`;

/** Parse argv; throws an Error with a user-facing message on anything invalid. */
export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      cell: { type: 'string', default: 'lstm' },
      hidden: { type: 'string', default: '16' },
      steps: { type: 'string', default: '400' },
      batch: { type: 'string', default: '64' },
      lr: { type: 'string', default: '0.02' },
      seed: { type: 'string', default: '0' },
      'held-out': { type: 'string', default: '1000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.cell !== 'lstm' && values.cell !== 'gru') throw new Error(`--cell must be 'lstm' or 'gru', got '${values.cell}'`);
  return {
    cell: values.cell,
    hidden: integer('hidden', values.hidden, 1, 1024),
    steps: integer('steps', values.steps, 1),
    batch: integer('batch', values.batch, 1, 65536),
    lr: real('lr', values.lr, true),
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
    heldOut: integer('held-out', values['held-out'], 1, 32768),
    help: values.help,
  };
}
