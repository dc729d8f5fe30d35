// Convolution (issue 19): conv1d, conv2d, unfold and fold against PyTorch 1.13 in float64 (the fixture written by
// scripts/conv_reference.py: values, and the gradient of every input), against central finite differences to
// second order (gradcheck, gradgradcheck), replayed by compile(); the errors; nn.Conv1d and nn.Conv2d; and three
// SGD steps of LeNet as PyTorch takes them.
import { describe, expect, it } from 'vitest';
import {
  compile, conv1d, conv2d, fold, gradcheck, gradgradcheck, nn, noGrad, ones, optim, RandomState, Tensor, tensor, unfold, zeros,
  type ConvOptions, type UnfoldOptions,
} from '../src/index.ts';
import { expectReference, fixture, inputsOf } from './conv-reference.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';
import { input } from './op-inputs.ts';

const TOL = { eps: 1e-6, rtol: 1e-6, atol: 1e-8 };

describe(`conv1d, conv2d, unfold and fold agree with PyTorch ${fixture.torch}`, () => {
  it('has the reference cases', () => {
    expect(fixture.conv.length).toBe(10);
    expect(fixture.unfold.length).toBe(4);
  });

  it.each(fixture.conv.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const { inputs: [x, w, b], upstream } = inputsOf(c);
    const out = (c.op === 'conv1d' ? conv1d : conv2d)(x!, w!, b, c.options as ConvOptions);
    expectReference(out, c.out, 'output');
    out.backward(upstream(out.shape));
    expectReference(x!.grad, c.grads[0]!, '∂input');
    expectReference(w!.grad, c.grads[1]!, '∂weight');
    if (b !== null) expectReference(b.grad, c.grads[2]!, '∂bias');
  });

  it.each(fixture.unfold.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const { inputs: [x], upstream } = inputsOf(c);
    const opts = c.options as UnfoldOptions, k = c.kernelSize!;
    const out = c.op === 'unfold' ? unfold(x!, k, opts) : fold(x!, c.outputSize!, k, opts);
    expectReference(out, c.out, 'output');
    out.backward(upstream(out.shape));
    expectReference(x!.grad, c.grads[0]!, '∂input');
  });
});

describe('gradients to second order (gradcheck and gradgradcheck)', () => {
  // Each case: the op with its settings, and the shapes of its input, weight and bias (null: none). tanh after the
  // op makes the first derivative depend on the inputs, so that gradgradcheck differentiates the rules themselves.
  const cases: [string, (x: Tensor, w: Tensor, b: Tensor | null) => Tensor, number[], number[], number[] | null][] = [
    ['conv2d, stride, padding and dilation per dim', (x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }), [2, 3, 5, 5], [2, 3, 3, 2], [2]],
    ["conv2d, 2 groups, 'same' with an even kernel", (x, w, b) => conv2d(x, w, b, { groups: 2, padding: 'same' }), [1, 4, 4, 3], [4, 2, 2, 3], [4]],
    ['conv2d, unbatched, no bias, stride 2', (x, w) => conv2d(x, w, null, { stride: 2 }), [2, 5, 5], [3, 2, 3, 3], null],
    ['conv1d, stride 2, padding 1, dilation 2, 2 groups', (x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [2, 4, 9], [4, 2, 3], [4]],
    ["conv1d, unbatched, 'same'", (x, w, b) => conv1d(x, w, b, { padding: 'same' }), [3, 6], [2, 3, 3], [2]],
  ];
  it.each(cases)('%s', (_name, f, xs, ws, bs) => {
    const inputs = [input(xs, -1, 1, 1), input(ws, -1, 1, 2), ...(bs === null ? [] : [input(bs, -1, 1, 3)])];
    const fn = (x: Tensor, w: Tensor, b?: Tensor): Tensor => f(x, w, b ?? null);
    const first = gradcheck(fn, inputs, TOL), second = gradgradcheck((x, w, b) => fn(x, w, b).tanh(), inputs, TOL);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  });

  it('unfold and fold, each the other\'s rule', () => {
    const x = input([2, 2, 5, 4], -1, 1, 4), cols = input([1, 8, 6], -1, 1, 5);
    const opts = { dilation: [2, 1], padding: 1, stride: [1, 2] } as const;
    for (const [f, xs] of [[(t: Tensor) => unfold(t, 2, opts), x], [(t: Tensor) => fold(t, [4, 5], 2, { stride: [1, 2] }), cols]] as const) {
      const first = gradcheck(f, [xs], TOL), second = gradgradcheck((t) => f(t).tanh(), [xs], TOL);
      expect(first.ok, first.message).toBe(true);
      expect(second.ok, second.message).toBe(true);
    }
  });

  it('fold is unfold\'s adjoint: ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩', () => {
    const x = input([2, 3, 6, 5], -1, 1, 6), opts = { dilation: [1, 2], padding: [2, 1], stride: [2, 1] } as const;
    const cols = unfold(x, [3, 2], opts), c = input(cols.shape, -1, 1, 7);
    expect(cols.mul(c).sum().item()).toBeCloseTo(x.mul(fold(c, [6, 5], [3, 2], opts)).sum().item(), 12);
  });
});

describe('forward mode (jvp)', () => {
  it('conv2d and conv1d: along the input, the weight and the bias', () => {
    expectJvp((x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: 1, groups: 2 }), [input([2, 4, 5, 4], -1, 1, 30), input([2, 2, 3, 2], -1, 1, 31), input([2], -1, 1, 32)], 33);
    expectJvp((x, w) => conv1d(x, w, null, { padding: 'same', dilation: 2 }), [input([3, 7], -1, 1, 34), input([2, 3, 4], -1, 1, 35)], 36);
  });

  it('unfold and fold', () => {
    expectJvp((x) => unfold(x, [2, 3], { padding: 1, stride: [1, 2] }), [input([1, 2, 4, 5], -1, 1, 37)], 38);
    expectJvp((c) => fold(c, [4, 5], 2), [input([2, 8, 12], -1, 1, 39)], 40);
  });

  it('forward over reverse: the jvp of a gradient (through the gradient ops\' tangents) is hvp\'s H·v', () => {
    const w = input([3, 2, 3, 3], -1, 1, 41).detach(), x = input([2, 2, 5, 5], -1, 1, 42);
    expectForwardOverReverse((t) => conv2d(t, w, null, { padding: 1 }).tanh().square().sum(), x, 43);
    expectForwardOverReverse((t) => conv2d(x.detach(), t, null, { stride: 2 }).sin().sum(), input([3, 2, 3, 3], -1, 1, 44), 45);
  });
});

describe('convolution inside compile()', () => {
  it('a replayed training step of a small conv net takes the eager step', () => {
    const make = () => {
      const rng = new RandomState(3);
      const model = new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1, rng }), new nn.Tanh(), new nn.Flatten(), new nn.Linear(48, 1, { rng }));
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const step = (x: Tensor, y: Tensor): Tensor => {
        opt.zeroGrad();
        const loss = nn.mseLoss(model.call(x), y);
        loss.backward();
        opt.step();
        return loss;
      };
      return { model, step };
    };
    const x = Tensor.from(new RandomState(4).uniform(-1, 1, [5, 2, 4, 4]), [5, 2, 4, 4]), y = tensor([[1], [0], [-1], [0.5], [2]]);
    const eager = make(), traced = make(), step = compile(traced.step);
    for (let i = 0; i < 5; i++) expect(step(x, y).item()).toBe(eager.step(x, y).item());
    expect(traced.model.parameters().map((p) => Array.from(p.data))).toEqual(eager.model.parameters().map((p) => Array.from(p.data)));
  });
});

describe('bad input throws an Error naming the op and the shapes or values', () => {
  const x = zeros([1, 3, 5, 5]);
  const cases: [string, () => unknown, RegExp][] = [
    ['channels ≠ the weight\'s in × groups', () => conv2d(x, zeros([2, 2, 3, 3])),
      /^conv2d: the input of shape \[1, 3, 5, 5\] has 3 channels, but the weight of shape \[2, 2, 3, 3\] takes 2 \(2 per group, groups=1\)$/],
    ['groups not dividing the input channels', () => conv2d(x, zeros([4, 1, 3, 3]), null, { groups: 2 }),
      /^conv2d: the input's 3 channels \(shape \[1, 3, 5, 5\]\) are not divisible by groups=2$/],
    ['groups not dividing the output channels', () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
      /^conv2d: the weight's 3 output channels \(shape \[3, 2, 3, 3\]\) are not divisible by groups=2$/],
    ['groups not a positive integer', () => conv2d(x, zeros([2, 3, 3, 3]), null, { groups: 0 }), /^conv2d: groups must be a positive integer, got number 0$/],
    ['a kernel larger than the padded input', () => conv2d(x, zeros([2, 3, 7, 3])),
      /^conv2d: the kernel \[7, 3\] is larger than the padded input \[5, 5\] \(input \[5, 5\], padding \[0, 0\]\)$/],
    ['a dilated kernel larger than the padded input', () => conv1d(zeros([1, 1, 4]), zeros([1, 1, 3]), null, { dilation: 2 }),
      /^conv1d: the kernel \[3\] \(dilation \[2\]: it spans \[5\]\) is larger than the padded input \[4\] \(input \[4\], padding \[0\]\)$/],
    ['an input of the wrong rank', () => conv2d(zeros([3, 5]), zeros([2, 3, 3, 3])),
      /^conv2d: expects an input of 3 dims \(unbatched, \[C, H, W\]\) or 4 \(batched, \[N, C, H, W\]\), got shape \[3, 5\]$/],
    ['a weight of the wrong rank', () => conv1d(zeros([1, 3, 5]), zeros([2, 3])),
      /^conv1d: expects a weight of 3 dims, \[out, in \/ groups, k\], got shape \[2, 3\]$/],
    ['a bias of the wrong shape', () => conv2d(x, zeros([2, 3, 3, 3]), zeros([3])),
      /^conv2d: the bias must have shape \[2\] \(one per output channel of the weight \[2, 3, 3, 3\]\), got \[3\]$/],
    ["'same' with stride 2", () => conv2d(x, zeros([2, 3, 3, 3]), null, { padding: 'same', stride: 2 }),
      /^conv2d: padding 'same' needs stride 1, got stride \[2, 2\] \(as in PyTorch\)$/],
    ['a stride of 0', () => conv2d(x, zeros([2, 3, 3, 3]), null, { stride: [1, 0] }), /^conv2d: stride must be a positive integer or a list of 2 of them, got an array \(\[1,0\]\)$/],
    ['a negative padding', () => conv1d(zeros([1, 3, 5]), zeros([2, 3, 3]), null, { padding: -1 }), /^conv1d: padding must be a non-negative integer, got number -1$/],
    ['an unknown padding', () => conv2d(x, zeros([2, 3, 3, 3]), null, { padding: 'full' as 'same' }),
      /^conv2d: padding must be a non-negative integer or a list of 2 of them, got the string 'full'$/],
    ['an unknown option', () => conv2d(x, zeros([2, 3, 3, 3]), null, { kernel_size: 3 } as ConvOptions),
      /^conv2d: unknown option 'kernel_size' \(the options are stride, padding, dilation, groups\)$/],
    ['an empty dim', () => conv2d(zeros([1, 3, 0, 5]), zeros([2, 3, 1, 1])),
      /^conv2d: the input of shape \[1, 3, 0, 5\] and the weight of shape \[2, 3, 1, 1\] may have no empty dim but the batch$/],
    ['a bias that is not a tensor', () => conv2d(x, zeros([2, 3, 3, 3]), [1, 2] as unknown as Tensor), /^conv2d: the bias must be a tensor, got an array/],
    ['unfold: an input of the wrong rank', () => unfold(zeros([5, 5]), 2), /^unfold: expects an input of 3 dims \(unbatched, \[C, H, W\]\) or 4/],
    ['unfold: a kernel larger than the padded input', () => unfold(zeros([1, 1, 3, 3]), 2, { padding: 0, dilation: 3 }),
      /^unfold: the kernel \[2, 2\] \(dilation \[3, 3\]: it spans \[4, 4\]\) is larger than the padded input \[3, 3\]/],
    ['fold: rows not a multiple of the kernel\'s taps', () => fold(zeros([1, 6, 4]), 3, 2),
      /^fold: the input of shape \[1, 6, 4\] has 6 rows, not a multiple of the kernel's 2·2 = 4 taps$/],
    ['fold: columns ≠ the number of windows', () => fold(zeros([1, 4, 5]), 3, 2),
      /^fold: the input of shape \[1, 4, 5\] has 5 columns, but an output of size \[3, 3\] has 2·2 = 4 windows \(kernel \[2, 2\], stride \[1, 1\], padding \[0, 0\], dilation \[1, 1\]\)$/],
  ];
  it.each(cases)('%s', (_name, f, message) => {
    expect(f).toThrow(message);
  });

  it('an empty batch is not an error: it gives an empty batch', () => {
    const x0 = zeros([0, 3, 5, 5]);
    x0.requiresGrad = true;
    const y = conv2d(x0, zeros([2, 3, 3, 3]), zeros([2]));
    expect(y.shape).toEqual([0, 2, 3, 3]);
    y.sum().backward();
    expect(x0.grad!.shape).toEqual([0, 3, 5, 5]);
  });
});

describe('nn.Conv1d and nn.Conv2d', () => {
  it('hold weight [out, in / groups, k…] and bias [out], drawn as U(−1/√fanIn, 1/√fanIn) from their generator, weight first', () => {
    const conv = new nn.Conv2d(4, 6, [3, 2], { groups: 2, rng: new RandomState(9) });
    const bound = 1 / Math.sqrt(2 * 3 * 2), rng = new RandomState(9);
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    expect(Array.from(conv.weight.data)).toEqual(Array.from(rng.uniform(-bound, bound, [6, 2, 3, 2])));
    expect(Array.from(conv.bias!.data)).toEqual(Array.from(rng.uniform(-bound, bound, [6])));
    expect(conv.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([['weight', [6, 2, 3, 2]], ['bias', [6]]]);
    const big = new nn.Conv1d(8, 64, 5, { bias: false, rng: new RandomState(1) }), b = 1 / Math.sqrt(40), w = Array.from(big.weight.data);
    expect(big.bias).toBeNull();
    expect(Math.max(...w)).toBeLessThan(b);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-b);
    expect(Math.max(...w)).toBeGreaterThan(0.99 * b); // 2560 draws fill the range
  });

  it('call the functional op with their parameters and settings', () => {
    const x = Tensor.from(new RandomState(3).uniform(-1, 1, [2, 2, 6, 7]), [2, 2, 6, 7]);
    expect(() => new nn.Conv2d(2, 3, 3, { stride: [1, 2], padding: 'same' })).toThrow(/^Conv2d: padding 'same' needs stride 1, got stride \[1, 2\] \(as in PyTorch\)$/);
    const same = new nn.Conv2d(2, 3, 3, { padding: 'same', dilation: 2, rng: new RandomState(2) });
    expect(same.call(x).toArray()).toEqual(conv2d(x, same.weight, same.bias, { padding: 'same', dilation: 2 }).toArray());
    expect(same.call(x).shape).toEqual([2, 3, 6, 7]);
    const strided = new nn.Conv2d(2, 3, [3, 2], { stride: [1, 2], padding: [1, 0], rng: new RandomState(4) });
    expect([strided.kernelSize, strided.stride, strided.padding, strided.dilation, strided.groups]).toEqual([[3, 2], [1, 2], [1, 0], [1, 1], 1]);
    expect(strided.call(x).toArray()).toEqual(conv2d(x, strided.weight, strided.bias, { stride: [1, 2], padding: [1, 0] }).toArray());
    const c1 = new nn.Conv1d(2, 4, 3, { stride: 2, padding: 1, groups: 2, rng: new RandomState(5) }), s = x.select(2, 0);
    expect(c1.call(s).toArray()).toEqual(conv1d(s, c1.weight, c1.bias, { stride: 2, padding: 1, groups: 2 }).toArray());
  });

  it('print as PyTorch prints them (settings that differ from the defaults)', () => {
    expect(new nn.Conv2d(1, 6, 5).toString()).toBe('Conv2d(1, 6, kernelSize=[5, 5], stride=[1, 1])');
    expect(new nn.Conv2d(2, 4, [3, 1], { stride: 2, padding: [1, 0], dilation: [2, 1], groups: 2, bias: false }).toString())
      .toBe('Conv2d(2, 4, kernelSize=[3, 1], stride=[2, 2], padding=[1, 0], dilation=[2, 1], groups=2, bias=false)');
    expect(new nn.Conv1d(3, 3, 4, { padding: 'same' }).toString()).toBe("Conv1d(3, 3, kernelSize=[4], stride=[1], padding='same')");
    expect(new nn.Sequential(new nn.Conv1d(1, 2, 3, { padding: 'valid' })).toString())
      .toBe("Sequential(\n  (0): Conv1d(1, 2, kernelSize=[3], stride=[1], padding='valid')\n)");
  });

  it('refuse bad settings, naming the layer and the value', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => new nn.Conv2d(0, 4, 3), /^Conv2d: channels must be positive integers, got inChannels=number 0, outChannels=number 4$/],
      [() => new nn.Conv1d(3, 4, 3, { groups: 2 }), /^Conv1d: groups must be a positive integer dividing inChannels=3 and outChannels=4, got number 2$/],
      [() => new nn.Conv2d(2, 4, [3, 0]), /^Conv2d: kernelSize must be a positive integer or a list of 2 of them, got an array \(\[3,0\]\)$/],
      [() => new nn.Conv2d(2, 4, 3, { paddingMode: 'reflect' as 'zeros' }), /^Conv2d: paddingMode the string 'reflect' is not supported \(only 'zeros'\)$/],
      [() => new nn.Conv2d(2, 4, 3, { bias: 1 as unknown as boolean }), /^Conv2d: bias must be true or false, got number 1$/],
      [() => new nn.Conv2d(2, 4, 3, { padding_mode: 'zeros' } as nn.ConvLayerOptions), /^Conv2d: unknown option 'padding_mode'/],
      [() => new nn.Conv2d(2, 4, 3).call(zeros([1, 3, 5, 5])), /^conv2d: the input of shape \[1, 3, 5, 5\] has 3 channels, but the weight of shape \[4, 2, 3, 3\] takes 2/],
    ];
    for (const [f, message] of bad) expect(f).toThrow(message);
  });
});

describe(`LeNet: three SGD steps as PyTorch ${fixture.torch} takes them`, () => {
  it('the same losses, convolution gradients and final logits', () => {
    const want = fixture.lenet, rng = new RandomState(want.seed);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(256, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10));
    // The script's parameters: each layer's weight then bias, in the engine's layout, from U(−1/√fanIn, 1/√fanIn).
    for (const [layer, fanIn] of [[model[0], 25], [model[3], 150], [model[7], 256], [model[9], 120], [model[11], 84]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      noGrad(() => {
        layer.weight.copy_(Tensor.from(rng.uniform(-bound, bound, layer.weight.shape), layer.weight.shape));
        layer.bias!.copy_(Tensor.from(rng.uniform(-bound, bound, layer.bias!.shape), layer.bias!.shape));
      });
    }
    const x = Tensor.from(rng.uniform(0, 1, [4, 1, 28, 28]), [4, 1, 28, 28]), y = tensor(want.y);
    const opt = new optim.SGD(model.parameters(), { lr: want.lr });
    want.losses.forEach((loss, step) => {
      opt.zeroGrad();
      const l = nn.crossEntropyLoss(model.call(x), y);
      l.backward();
      expect(l.item()).toBeCloseTo(loss, 13);
      if (step === 0) {
        expectReference(model[0].weight.grad, want.grads['conv1.weight']!, 'conv1 ∂weight');
        expectReference(model[0].bias!.grad, want.grads['conv1.bias']!, 'conv1 ∂bias');
        expectReference(model[3].weight.grad, want.grads['conv2.weight']!, 'conv2 ∂weight');
        expectReference(model[3].bias!.grad, want.grads['conv2.bias']!, 'conv2 ∂bias');
      }
      opt.step();
    });
    expectReference(noGrad(() => model.call(x)), want.logits, 'logits after three steps');
  });

  it('ones of the right shape flow through it unbatched too', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.MaxPool2d(2));
    expect(model.call(ones([1, 28, 28])).shape).toEqual([16, 4, 4]);
  });
});
