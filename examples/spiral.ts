// Three interleaved spirals classified by a small MLP: softmax cross-entropy, Adam, argmax accuracy.
//   npm run spiral -- --help
import { writeFileSync } from 'node:fs';
import { RandomState } from '../src/index.ts';
import { CLASSES, spirals } from './spiral/data.ts';
import { runCli } from './args.ts';
import { parseOptions, USAGE, type Options } from './spiral/options.ts';
import { accuracy, buildModel, perClass, train } from './spiral/train.ts';
import { decisionRegions } from './spiral/svg.ts';

const percent = (v: number): string => `${(100 * v).toFixed(2)}%`;

function main(o: Options): void {
  const rng = new RandomState(o.seed); // draws the data, then the initial weights
  const data = spirals(o.points, o.noise, rng);
  const model = buildModel(o.hidden, rng);
  console.log(`Spirals: ${CLASSES} classes × ${o.points} points (angle noise ${o.noise}, seed ${o.seed}); ` +
    `MLP 2-${o.hidden}-${o.hidden}-${CLASSES}, Adam lr ${o.lr}, ${o.steps} steps`);
  console.log(model);
  const width = String(o.steps).length;
  const every = Math.max(1, Math.round(o.steps / 12));
  const last = train(model, data, o.steps, o.lr, every, (p) =>
    console.log(`  step ${String(p.step).padStart(width)}  loss ${p.loss.toFixed(4)}  accuracy ${percent(p.accuracy)}`));
  const finalAccuracy = accuracy(model.call(data.X), data.y);
  console.log(`final loss ${last.loss.toFixed(4)}, training accuracy ${percent(finalAccuracy)} ` +
    `(per class: ${perClass(model, data).map(percent).join(', ')})`);
  if (o.plot !== null) {
    const title = `${CLASSES} spirals, MLP 2-${o.hidden}-${o.hidden}-${CLASSES}: training accuracy ${percent(finalAccuracy)}`;
    writeFileSync(o.plot, decisionRegions((points) => model.call(points).argmax(1), data.X, data.y, title));
    console.log(`wrote ${o.plot}`);
  }
}

runCli('spiral', parseOptions, USAGE, main);
