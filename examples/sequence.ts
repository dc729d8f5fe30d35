// A recurrent network learns binary addition: two 8-bit numbers fed least significant bit first, one bit of each
// per step, and the sum's bit predicted at each step (the carry is what it must remember).
//   npm run sequence -- --help
import { nn, noGrad, optim, RandomState, Tensor, type Tensor as T } from '../src/index.ts';
import { runCli } from './args.ts';
import { parseOptions, USAGE, type Options } from './sequence/options.ts';

const BITS = 8, STEPS = BITS + 1; // the last step reads two zeros and writes the carry

/** Pairs (a, b) as the network reads them, inputs [STEPS, N, 2], and the sums' bits, targets [STEPS, N, 1]. */
function encode(pairs: [number, number][]): { x: T; y: T } {
  const N = pairs.length, x = new Float64Array(STEPS * N * 2), y = new Float64Array(STEPS * N);
  pairs.forEach(([a, b], n) => {
    for (let t = 0; t < STEPS; t++) {
      x[(t * N + n) * 2] = (a >> t) & 1;
      x[(t * N + n) * 2 + 1] = (b >> t) & 1;
      y[t * N + n] = ((a + b) >> t) & 1;
    }
  });
  return { x: Tensor.from(x, [STEPS, N, 2]), y: Tensor.from(y, [STEPS, N, 1]) };
}

/** The recurrent layer and a linear head on its state at every step: a logit per bit. */
class Adder extends nn.Module {
  readonly rnn: nn.LSTM | nn.GRU;
  readonly head: nn.Linear;
  constructor(cell: Options['cell'], hidden: number, rng: RandomState) {
    super();
    this.rnn = cell === 'lstm' ? new nn.LSTM(2, hidden, { rng }) : new nn.GRU(2, hidden, { rng });
    this.head = new nn.Linear(hidden, 1, { init: 'xavier', rng });
  }
  forward(x: T): T {
    return this.head.call(this.rnn.call(x)[0]);
  }
}

/** The sums the network reads off its bits for the pairs (bit t set where the logit is positive). */
function sums(model: Adder, pairs: [number, number][]): number[] {
  const logits = noGrad(() => model.call(encode(pairs).x)).data, N = pairs.length;
  return pairs.map((_, n) => {
    let s = 0;
    for (let t = 0; t < STEPS; t++) if (logits[t * N + n] > 0) s |= 1 << t;
    return s;
  });
}

function main(o: Options): void {
  const rng = new RandomState(o.seed);
  const randomPair = (): [number, number] => [Math.floor(rng.random() * 256), Math.floor(rng.random() * 256)];
  const key = ([a, b]: [number, number]): number => a * 256 + b;
  const heldOut = new Map<number, [number, number]>();
  while (heldOut.size < o.heldOut) { const p = randomPair(); heldOut.set(key(p), p); }
  const model = new Adder(o.cell, o.hidden, rng);
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  console.log(`Binary addition of two 8-bit numbers, least significant bit first: ${o.cell.toUpperCase()}(2, ${o.hidden}) ` +
    `and a linear head, Adam lr ${o.lr}, ${o.steps} steps of ${o.batch} pairs (${o.heldOut} pairs held out, seed ${o.seed})`);
  console.log(model.toString());

  const every = Math.max(1, Math.round(o.steps / 10)), width = String(o.steps).length, started = performance.now();
  for (let step = 1; step <= o.steps; step++) {
    const pairs: [number, number][] = [];
    while (pairs.length < o.batch) { const p = randomPair(); if (!heldOut.has(key(p))) pairs.push(p); }
    const { x, y } = encode(pairs);
    opt.zeroGrad();
    const logits = model.call(x), loss = nn.bceWithLogitsLoss(logits, y);
    loss.backward();
    opt.step();
    if (step % every === 0 || step === o.steps) {
      const bits = logits.gt(0).eq(y).mean().item();
      console.log(`  step ${String(step).padStart(width)}  loss ${loss.item().toFixed(4)}  bits right ${(100 * bits).toFixed(1)}%`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`trained in ${seconds.toFixed(1)} s (${(1000 * seconds / o.steps).toFixed(2)} ms per step)`);

  const tests = [...heldOut.values()], got = sums(model, tests);
  console.log('held-out sums:');
  tests.slice(0, 6).forEach(([a, b], i) => console.log(`  ${String(a).padStart(3)} + ${String(b).padStart(3)} = ${String(got[i]).padStart(3)}  ${got[i] === a + b ? '✓' : `✗ (${a + b})`}`));
  const right = got.filter((s, i) => s === tests[i][0] + tests[i][1]).length;
  console.log(`held-out accuracy: ${right} of ${tests.length} sums right (${(100 * right / tests.length).toFixed(2)}%)`);
}

runCli('sequence', parseOptions, USAGE, main);
