// A small convolutional network on real handwritten digits: scikit-learn's 8×8 digits (1,797 images from the UCI
// optical-digits set, examples/digits/README.md), a held-out fifth for testing.
//   npm run digits -- --help
// conv 3×3 → batch norm → ReLU → max pool, twice, then a linear layer: PyTorch's layers, names and layouts.
import { data, nn, noGrad, optim, RandomState, type Tensor } from '../src/index.ts';
import { integer, real, runCli } from './args.ts';
import { CLASSES, loadDigits, splitDigits } from './digits/data.ts';

interface Options { epochs: number; batchSize: number; lr: number; seed: number; help: boolean }

const USAGE = `npm run digits -- [options]
  Train a small CNN on the 8×8 handwritten digits and report its accuracy on a held-out fifth.
  --epochs N       passes over the training set (default 10)
  --batch-size N   images per step (default 32)
  --lr X           Adam's learning rate (default 0.01)
  --seed N         the split, the initial weights and the shuffling (default 0)
  --help           this text
`;

function parseOptions(argv: string[]): Options {
  const o: Options = { epochs: 10, batchSize: 32, lr: 0.01, seed: 0, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!, value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') o.help = true;
    else if (flag === '--epochs') o.epochs = integer('epochs', value(), 1, 1000);
    else if (flag === '--batch-size') o.batchSize = integer('batch-size', value(), 1, 1797);
    else if (flag === '--lr') o.lr = real('lr', value(), true);
    else if (flag === '--seed') o.seed = integer('seed', value(), 0);
    else throw new Error(`unknown option '${flag}'`);
  }
  return o;
}

/** 1×8×8 → 16×4×4 → 32×2×2 → 10 logits. */
function buildModel(rng: RandomState): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1, rng }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1, rng }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 2 * 2, CLASSES, { rng }),
  );
}

/** The fraction of images whose largest logit is their digit, in eval mode (batch norm's running statistics). */
function accuracy(model: nn.Sequential, images: Tensor, labels: Tensor): number {
  model.eval();
  const predicted = noGrad(() => model.call(images).argmax(1)).data, truth = labels.data;
  model.train();
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;

function main(o: Options): void {
  const { train, test } = splitDigits(loadDigits(), o.seed);
  const rng = new RandomState(o.seed);
  const model = buildModel(rng);
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const loader = new data.DataLoader(new data.TensorDataset(train.images, train.labels), { batchSize: o.batchSize, shuffle: true, rng });
  console.log(`Digits: ${train.labels.size} training and ${test.labels.size} held-out 8×8 images; ` +
    `batch ${o.batchSize}, Adam lr ${o.lr}, ${o.epochs} epochs, seed ${o.seed}`);
  console.log(model.toString());
  const started = performance.now();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let total = 0, seen = 0;
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = nn.crossEntropyLoss(model.call(x), y);
      loss.backward();
      opt.step();
      total += loss.item() * y.size;
      seen += y.size;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`epoch ${String(epoch).padStart(2)}/${o.epochs}  loss ${(total / seen).toFixed(4)}  ` +
      `train ${percent(accuracy(model, train.images, train.labels))}  held out ${percent(accuracy(model, test.images, test.labels))}  (${seconds} s)`);
  }
  console.log(`held-out accuracy: ${percent(accuracy(model, test.images, test.labels))} of ${test.labels.size} images`);
}

runCli('digits', parseOptions, USAGE, main);
