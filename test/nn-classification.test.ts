// nn.crossEntropyLoss and nn.nllLoss against PyTorch 1.13 (float64), at ordinary logits and at ±1000, with
// class-index and class-probability targets, label smoothing and each reduction; and their errors.
import { describe, expect, it } from 'vitest';
import { nn, Tensor, tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

// logits = [[1000, −1000, 2], [0.1, 0.2, −0.3], [−1000, 1000, 0], [0.5, −0.5, 1.5]]; targets [1, 2, 0, 2] or the
// probabilities below; l = F.cross_entropy(logits, t, reduction=r, label_smoothing=ε); backward of l (a sum of
// l·[1, −2, 0.5, 3] for 'none'); the loss and logits.grad printed with .tolist().
const LOGITS = [[1000, -1000, 2], [0.1, 0.2, -0.3], [-1000, 1000, 0], [0.5, -0.5, 1.5]];
const CLASSES = [1, 2, 0, 2];
const PROBS = [[0.2, 0.3, 0.5], [1, 0, 0], [0, 0.25, 0.75], [0.1, 0.1, 0.8]];
const NONE_WEIGHTS = [1, -2, 0.5, 3];

type Case = [kind: 'index' | 'prob', reduction: nn.Reduction, eps: number, loss: number | number[], grad: number[][]];
const CASES: Case[] = [
  ['index', 'mean', 0, 1000.4571084049994, [[0.25, -0.25, 0.0], [0.09007415381013502, 0.09954733526123401, -0.18962148907136903], [-0.25, 0.25, 0.0], [0.06118211776369941, 0.02250764329259511, -0.08368976105629455]]],
  ['prob', 'mean', 0, 462.68210840499944, [[0.2, -0.075, -0.125], [-0.159925846189865, 0.09954733526123401, 0.06037851092863097], [0.0, 0.1875, -0.1875], [0.03618211776369941, -0.0024923567074048927, -0.033689761056294565]]],
  ['index', 'mean', 0.1, 950.4579417383327, [[0.24166666666666667, -0.23333333333333334, -0.008333333333333333], [0.08174082047680169, 0.09121400192790068, -0.17295482240470236], [-0.23333333333333334, 0.24166666666666667, -0.008333333333333333], [0.05284878443036608, 0.014174309959261775, -0.06702309438962789]]],
  ['prob', 'mean', 0.1, 466.46044173833286, [[0.19666666666666666, -0.07583333333333334, -0.12083333333333333], [-0.14325917952319833, 0.09121400192790068, 0.052045177595297636], [-0.008333333333333333, 0.18541666666666667, -0.17708333333333334], [0.030348784430366073, -0.008325690040738229, -0.022023094389627906]]],
  ['index', 'sum', 0, 4001.8284336199977, [[1.0, -1.0, 0.0], [0.3602966152405401, 0.39818934104493603, -0.7584859562854761], [-1.0, 1.0, 0.0], [0.24472847105479764, 0.09003057317038043, -0.3347590442251782]]],
  ['prob', 'sum', 0, 1850.7284336199978, [[0.8, -0.3, -0.5], [-0.63970338475946, 0.39818934104493603, 0.24151404371452387], [0.0, 0.75, -0.75], [0.14472847105479764, -0.009969426829619571, -0.13475904422517826]]],
  ['index', 'sum', 0.1, 3801.8317669533308, [[0.9666666666666667, -0.9333333333333333, -0.03333333333333333], [0.32696328190720675, 0.3648560077116027, -0.6918192896188095], [-0.9333333333333333, 0.9666666666666667, -0.03333333333333333], [0.21139513772146432, 0.0566972398370471, -0.26809237755851156]]],
  ['prob', 'sum', 0.1, 1865.8417669533314, [[0.7866666666666666, -0.30333333333333334, -0.48333333333333334], [-0.5730367180927933, 0.3648560077116027, 0.20818071038119054], [-0.03333333333333333, 0.7416666666666667, -0.7083333333333334], [0.12139513772146429, -0.033302760162952916, -0.08809237755851163]]],
  ['index', 'none', 0, [2000.0, 1.4208276555532593, 2000.0, 0.4076059644443804], [[1.0, -1.0, 0.0], [-0.7205932304810801, -0.7963786820898721, 1.5169719125709522], [-0.5, 0.5, 0.0], [0.7341854131643929, 0.2700917195111413, -1.0042771326755346]]],
  ['prob', 'none', 0, [1099.0, 1.0208276555532594, 750.0, 0.7076059644443804], [[0.8, -0.3, -0.5], [1.27940676951892, -0.7963786820898721, -0.48302808742904774], [0.0, 0.375, -0.375], [0.43418541316439296, -0.0299082804888587, -0.4042771326755347]]],
  ['index', 'none', 0.1, [1899.9333333333334, 1.3908276555532595, 1900.0, 0.5076059644443804], [[0.9666666666666667, -0.9333333333333333, -0.03333333333333333], [-0.6539265638144135, -0.7297120154232054, 1.383638579237619], [-0.4666666666666667, 0.48333333333333334, -0.016666666666666666], [0.634185413164393, 0.17009171951114133, -0.8042771326755346]]],
  ['prob', 'none', 0.1, [1089.0333333333333, 1.0308276555532594, 775.0, 0.7776059644443805], [[0.7866666666666666, -0.30333333333333334, -0.48333333333333334], [1.1460734361855867, -0.7297120154232054, -0.4163614207623811], [-0.016666666666666666, 0.37083333333333335, -0.3541666666666667], [0.36418541316439296, -0.0999082804888587, -0.2642771326755346]]],
];

describe('crossEntropyLoss against PyTorch, at logits of ±1000', () => {
  it.each(CASES)('%s targets, %s, label smoothing %s', (kind, reduction, labelSmoothing, wantLoss, wantGrad) => {
    const z = tensor(LOGITS, { requiresGrad: true });
    const l = nn.crossEntropyLoss(z, tensor(kind === 'index' ? CLASSES : PROBS), { reduction, labelSmoothing });
    (reduction === 'none' ? l.mul(tensor(NONE_WEIGHTS)).sum() : l).backward();
    expect(l.data.every(Number.isFinite) && z.grad!.data.every(Number.isFinite)).toBe(true);
    expect(l.shape).toEqual(reduction === 'none' ? [4] : []);
    expectClose(l.data, typeof wantLoss === 'number' ? [wantLoss] : wantLoss, { rtol: 1e-14 }, 'loss');
    expectClose(z.grad!.data, wantGrad.flat(), { rtol: 5e-13, atol: 5e-16 }, 'gradient');
  });

  // F.cross_entropy(lg, t3, label_smoothing=0.2) for lg[k] = ((3k mod 7) − 3)·0.9, shape [2, 3, 4], t3 = [[0, 2, 1, 1], [2, 0, 0, 1]];
  // and F.cross_entropy([0.3, −1, 2], tensor(2)) (unbatched).
  it('logits [N, C, d] (class axis 1) and unbatched logits [C]', () => {
    const lg = Tensor.from(Float64Array.from({ length: 24 }, (_, k) => (((k * 3) % 7) - 3) * 0.9), [2, 3, 4], { requiresGrad: true });
    const l = nn.crossEntropyLoss(lg, tensor([[0, 2, 1, 1], [2, 0, 0, 1]]), { labelSmoothing: 0.2 });
    l.backward();
    expectClose(l.data, [2.7207379939047986], { rtol: 1e-14 }, 'loss');
    expectClose(lg.grad!.data, [-0.10715293953857075, -0.0005427592288509801, 0.09647769312363959, -0.0005427592288509801, 0.09792232987613211, -0.007045560095254518, -0.09100818718663242, -0.10704556009525452, 0.009230609662438641, 0.0075883193241055025, -0.0054695059370071675, 0.10758831932410551, -0.007152939538570741, -0.0035223068763604176, -0.10715293953857075, -0.0005427592288509801, 0.09792232987613211, 0.008991812813367582, 0.09792232987613211, -0.10704556009525452, -0.09076939033756137, -0.0054695059370071675, 0.009230609662438641, 0.10758831932410551], { rtol: 5e-13, atol: 5e-16 }, 'gradient');
    const z = tensor([0.3, -1, 2], { requiresGrad: true });
    const l1 = nn.crossEntropyLoss(z, tensor(2));
    l1.backward();
    expectClose(l1.data, [0.20902076654506024], { rtol: 1e-14 }, 'loss');
    expectClose(z.grad!.data, [0.14822546288422211, 0.04039615117313354, -0.18862161405735556], { rtol: 1e-13 }, 'gradient');
  });

  it('at ±1e308 too: loss and gradient stay finite (the far class gets probability 0, not NaN)', () => {
    const z = tensor([[1e308, -1e308, 0]], { requiresGrad: true });
    const l = nn.crossEntropyLoss(z, tensor([0]));
    l.backward();
    expect(l.item()).toBe(0);
    expect(Array.from(z.grad!.data)).toEqual([0, 0, 0]);
  });

  it('errors: targets that are not class indices, shapes that fit neither kind, bad options', () => {
    const z = tensor(LOGITS);
    expect(() => nn.crossEntropyLoss(z, tensor([1, 3, 0, 2]))).toThrow(/^crossEntropyLoss: target 3 at position 1 is not a class index in \[0, 3\)/);
    expect(() => nn.crossEntropyLoss(z, tensor([1, 0.5, 0, 2]))).toThrow(/^crossEntropyLoss: target 0.5 at position 1 is not a class index/);
    expect(() => nn.crossEntropyLoss(z, tensor([1, 2, 0]))).toThrow(/^crossEntropyLoss: target of shape \[3\] fits neither class indices \(shape \[4\]\) nor class probabilities \(shape \[4, 3\]\) for logits \[4, 3\]/);
    expect(() => nn.crossEntropyLoss(z, tensor(CLASSES), { labelSmoothing: 1.5 })).toThrow(/^crossEntropyLoss: labelSmoothing must lie in \[0, 1\], got 1.5/);
    expect(() => nn.crossEntropyLoss(z, tensor(CLASSES), { reduction: 'avg' as nn.Reduction })).toThrow(/^crossEntropyLoss: unknown reduction 'avg'/);
    expect(() => nn.crossEntropyLoss(tensor(1), tensor(0))).toThrow(/^crossEntropyLoss: the logits must have a class axis/);
    expect(() => nn.crossEntropyLoss(z, CLASSES as unknown as Tensor)).toThrow(/^crossEntropyLoss: the target must be a tensor, got an array/);
  });
});

describe('nllLoss against PyTorch', () => {
  // lp below, targets [1, 2, 0, 2]; F.nll_loss(lp, t, reduction=r); backward as above.
  const LP = [[-0.5, -1.2, -2.5], [-0.1, -3.0, -2.9], [-1.1, -1.1, -1.1], [-4.0, -0.02, -5.0]];
  it.each([
    ['mean', [2.55], [[0, -0.25, 0], [0, 0, -0.25], [-0.25, 0, 0], [0, 0, -0.25]]],
    ['sum', [10.2], [[0, -1, 0], [0, 0, -1], [-1, 0, 0], [0, 0, -1]]],
    ['none', [1.2, 2.9, 1.1, 5.0], [[0, -1, 0], [0, 0, 2], [-0.5, 0, 0], [0, 0, -3]]],
  ] as const)('%s', (reduction, wantLoss, wantGrad) => {
    const lp = tensor(LP, { requiresGrad: true });
    const l = nn.nllLoss(lp, tensor(CLASSES), { reduction });
    (reduction === 'none' ? l.mul(tensor(NONE_WEIGHTS)).sum() : l).backward();
    expectClose(l.data, wantLoss, { rtol: 1e-15 }, 'loss');
    expect(lp.grad!.toArray()).toEqual(wantGrad);
  });

  it('equals crossEntropyLoss of the logits when fed their logSoftmax', () => {
    const z = tensor(LOGITS);
    expectClose(nn.nllLoss(z.logSoftmax(1), tensor(CLASSES)).data, nn.crossEntropyLoss(z, tensor(CLASSES)).data, { rtol: 1e-15 }, 'same loss');
  });

  it('errors', () => {
    expect(() => nn.nllLoss(tensor(LP), tensor(PROBS))).toThrow(/^nllLoss: target of shape \[4, 3\] must hold one class index per sample, shape \[4\] for log-probabilities \[4, 3\]/);
    expect(() => nn.nllLoss(tensor(LP), tensor([0, 1, 2, -1]))).toThrow(/^nllLoss: target -1 at position 3 is not a class index in \[0, 3\)/);
  });
});
