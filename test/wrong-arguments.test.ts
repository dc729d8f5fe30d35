// Issue 22, part 5: every public entry point refuses a wrong argument with an Error (not a TypeError from deep
// inside, not a silently ignored option, not garbage) whose message names the function and what it got. One line
// per case; each case of the list failed before its fix (a TypeError, a wrong value accepted, or a message that did
// not say what it got). The last test checks that grad, whose checks live in backward.ts, already does the same.
// (test/silent-failures.test.ts and test/error-messages.test.ts hold the cases of earlier issues; the empty list of
// axes of argmax is in test/empty-axes.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  dropout, fromNpy, full, grad, gradcheck, gradgradcheck, manualSeed, nn, optim, rand, randn, RandomState, tensor, Tensor,
  toDot, zeros, defineOp,
} from '../src/index.ts';

const x = tensor([[1, 2], [3, 4]]);
const leaf = (): Tensor => tensor([1, 2], { requiresGrad: true });
const sgd = (): optim.SGD => new optim.SGD([leaf()], { lr: 0.1 });
const any = <T>(v: unknown): T => v as T; // a wrong value, past the type-checker, as JavaScript callers pass it

const cases: [string, () => unknown, RegExp][] = [
  // new Tensor and Tensor.from
  ['new Tensor(an array)', () => new Tensor(any([1, 2, 3]), any(undefined)), /^Tensor: data must be a Float64Array, got \[1, 2, 3\]; make a tensor of numbers with tensor/],
  ['new Tensor(data) without a shape', () => new Tensor(new Float64Array(3), any(undefined)), /^Tensor: a shape must be an array of dimensions, got undefined/],
  ['new Tensor(data, a number)', () => new Tensor(new Float64Array(3), any(3)), /^Tensor: a shape must be an array of dimensions, got 3/],
  ['new Tensor(data, null)', () => new Tensor(new Float64Array(3), any(null)), /^Tensor: a shape must be an array of dimensions, got null/],
  ['new Tensor(a tensor, shape)', () => new Tensor(any(x), [2, 2]), /^Tensor: data must be a Float64Array, got an object of type Tensor/],
  ['Tensor.from(…, null options)', () => Tensor.from(new Float64Array(1), [1], any(null)), /^Tensor\.from: options must be an object \(\{ … \}\), got null/],
  ['Tensor.from(…, a number for options)', () => Tensor.from(new Float64Array(1), [1], any(3)), /^Tensor\.from: options must be an object \(\{ … \}\), got number 3/],
  ['Tensor.from(…, { requiresGrad: a string })', () => Tensor.from(new Float64Array(1), [1], { requiresGrad: any('yes') }), /^Tensor\.from: requiresGrad must be true or false, got the string 'yes'/],
  // the functions that make tensors
  ['tensor(…, an array for options)', () => tensor([1], any([1])), /^tensor: options must be an object \(\{ … \}\), got an array/],
  ['tensor(…, a tensor for options)', () => tensor([1], any(x)), /^tensor: options must be an object \(\{ … \}\), got a tensor of shape \[2, 2\]/],
  ['tensor(…, { requiresGrad: 1 })', () => tensor([1], { requiresGrad: any(1) }), /^tensor: requiresGrad must be true or false, got number 1/],
  ['zeros(shape, a tensor for options)', () => zeros([2], any(x)), /^zeros: options must be an object \(\{ … \}\), got a tensor/],
  ['full(shape, value, an array for options)', () => full([2], 1, any([1, 2])), /^full: options must be an object \(\{ … \}\), got an array/],
  ['rand(shape, { rng: a string })', () => rand([2], { rng: any('a') }), /^rand: rng must be a RandomState, got the string 'a'/],
  ['rand(shape, a number for options)', () => rand([2], any(3)), /^rand: options must be an object \(\{ … \}\), got number 3/],
  ['randn(shape, { rng: a seed })', () => randn([2], { rng: any(0) }), /^randn: rng must be a RandomState, got number 0/],
  ['fromNpy(bytes, a string for options)', () => fromNpy(x.toNpy(), any('a')), /^fromNpy: options must be an object \(\{ … \}\), got the string 'a'/],
  ['manualSeed(a string)', () => manualSeed(any('1')), /^manualSeed: seed must be an integer in \[0, 2\^32 - 1\], got '1'/],
  ['manualSeed(an object)', () => manualSeed(any({})), /^manualSeed: seed must be an integer in \[0, 2\^32 - 1\], got an object/],
  ['RandomState.uniform(a string low)', () => new RandomState(0).uniform(any('0'), 1, [2]), /^RandomState\.uniform: low and high must be numbers, got '0' and 1/],
  ['RandomState.uniform(low, undefined high)', () => new RandomState(0).uniform(0, any(undefined), [2]), /^RandomState\.uniform: low and high must be numbers, got 0 and undefined/],
  // Tensor methods that take options
  ['toNpy(null)', () => x.toNpy(any(null)), /^toNpy: options must be an object \(\{ … \}\), got null/],
  ['toNpy({ dtype: a tensor })', () => x.toNpy({ dtype: any(x) }), /^toNpy: dtype must be 'float64' or 'float32', got tensor\(/],
  ['backward(seed, an array for options)', () => leaf().sum().backward(undefined, any([1])), /^backward: options must be an object \(\{ … \}\), got an array/],
  ['backward(seed, { retainGraph: 1 })', () => leaf().sum().backward(undefined, { retainGraph: any(1) }), /^backward: retainGraph must be true or false, got number 1/],
  ['backward(seed, { createGraph: a string })', () => leaf().sum().backward(undefined, { createGraph: any('yes') }), /^backward: createGraph must be true or false, got the string 'yes'/],
  // autograd functions
  ['toDot(a number)', () => toDot(any(3)), /^toDot: expected a tensor, got number 3/],
  ['toDot(undefined)', () => toDot(any(undefined)), /^toDot: expected a tensor, got undefined/],
  ['toDot(an array)', () => toDot(any([1, 2])), /^toDot: expected a tensor, got an array/],
  ['toDot(t, null options)', () => toDot(x, any(null)), /^toDot: options must be an object \(\{ … \}\), got null/],
  ['toDot(t, { names: an object })', () => toDot(x, { names: any({}) }), /^toDot: names must be a Map from tensors to names, got an object of type Object/],
  ['toDot(t, { format: a string })', () => toDot(x, { format: any('%.2f') }), /^toDot: format must be a function of a number, got the string '%\.2f'/],
  ['toDot(t, { maxItems: 0 })', () => toDot(x, { maxItems: 0 }), /^toDot: maxItems must be a positive integer, got number 0/],
  ['toDot(t, { values: a string })', () => toDot(x, { values: any('yes') }), /^toDot: values must be true or false, got the string 'yes'/],
  ['gradcheck(fn, inputs, null options)', () => gradcheck((t) => t.sum(), [leaf()], any(null)), /^gradcheck: options must be an object \(\{ … \}\), got null/],
  ['gradcheck(fn, inputs, a number for options)', () => gradcheck((t) => t.sum(), [leaf()], any(1e-6)), /^gradcheck: options must be an object \(\{ … \}\), got number 0\.000001/],
  ['gradcheck(…, { eps: 0 })', () => gradcheck((t) => t.sum(), [leaf()], { eps: 0 }), /^gradcheck: eps must be a finite number above 0, got number 0/],
  ['gradcheck(…, { atol: a string })', () => gradcheck((t) => t.sum(), [leaf()], { atol: any('1e-8') }), /^gradcheck: atol must be a finite number at least 0, got the string '1e-8'/],
  ['gradgradcheck(a number for fn)', () => gradgradcheck(any(3), [leaf()]), /^gradgradcheck: fn must be a function, got number 3/],
  ['gradgradcheck(undefined fn)', () => gradgradcheck(any(undefined), [leaf()]), /^gradgradcheck: fn must be a function, got undefined/],
  ['gradgradcheck(fn, inputs, null options)', () => gradgradcheck((t) => t.square().sum(), [leaf()], any(null)), /^gradgradcheck: options must be an object \(\{ … \}\), got null/],
  ['dropout(x, p, a string for options)', () => dropout(x, 0.5, any('a')), /^dropout: options must be an object \(\{ … \}\), got the string 'a'/],
  ['dropout(x, p, a number for options)', () => dropout(x, 0.5, any(0)), /^dropout: options must be an object \(\{ … \}\), got number 0/],
  ['defineOp({ shape: a number })', () => defineOp({ name: 'id', shape: any(3), forward: () => {}, grads: [null] }), /^defineOp: shape must be a function of the inputs, got number 3/],
  ['defineOp({ grads: [a number] })', () => defineOp({ name: 'id', forward: () => {}, grads: [any(1)] }), /^defineOp: grads\[0\] must be a rule \(g, inputs, out\) => tensor, or null, got number 1/],
  // nn
  ['new ModuleList(a number)', () => new nn.ModuleList(any<nn.Module[]>(3)), /^ModuleList: expected an array \(or iterable\) of modules, got number 3/],
  ['new ModuleList(null)', () => new nn.ModuleList(any<nn.Module[]>(null)), /^ModuleList: expected an array \(or iterable\) of modules, got null/],
  ['new ModuleList(a module)', () => new nn.ModuleList(any<nn.Module[]>(new nn.ReLU())), /^ModuleList: expected an array \(or iterable\) of modules, got an object of type ReLU/],
  ['new Linear(in, out, null options)', () => new nn.Linear(2, 3, any(null)), /^Linear: options must be an object \(\{ … \}\), got null/],
  ['new Linear(in, out, a string for options)', () => new nn.Linear(2, 3, any('he')), /^Linear: options must be an object \(\{ … \}\), got the string 'he'/],
  ['new Linear(…, { bias: a string })', () => new nn.Linear(2, 3, { bias: any('no') }), /^Linear: bias must be true or false, got the string 'no'/],
  ['new Linear(…, { rng: a seed })', () => new nn.Linear(2, 3, { rng: any(1) }), /^Linear: rng must be a RandomState, got number 1/],
  ['new Softmax(a string axis)', () => new nn.Softmax(any('a')), /^Softmax: axis must be an integer, got the string 'a'/],
  ['new LogSoftmax(an array axis)', () => new nn.LogSoftmax(any([1])), /^LogSoftmax: axis must be an integer, got an array/],
  ['new Flatten(a string startAxis)', () => new nn.Flatten(any('1')), /^Flatten: startAxis must be an integer, got the string '1'/],
  ['new Flatten(1, null endAxis)', () => new nn.Flatten(1, any(null)), /^Flatten: endAxis must be an integer, got null/],
  ['new Dropout(p, null options)', () => new nn.Dropout(0.5, any(null)), /^Dropout: options must be an object \(\{ … \}\), got null/],
  ['new Dropout(p, { rng: a string })', () => new nn.Dropout(0.5, { rng: any('a') }), /^Dropout: rng must be a RandomState, got the string 'a'/],
  ['parameter(t, null options)', () => nn.parameter(tensor([1]), any(null)), /^parameter: options must be an object \(\{ … \}\), got null/],
  ['parameter(an array)', () => nn.parameter(any([1])), /^parameter: expected a tensor, got an array/],
  ['module.call(an array)', () => new nn.Linear(2, 1).call(any([1, 2])), /^Linear\.call: expected a tensor, got an array/],
  ['module.train(a string)', () => new nn.Linear(2, 1).train(any('no')), /^train: on must be true or false, got the string 'no'/],
  ['saveSafetensors(undefined)', () => nn.saveSafetensors(any(undefined)), /^saveSafetensors: expected a module \(nn\.Linear, nn\.Sequential, …\), got undefined/],
  ['saveSafetensors(a tensor)', () => nn.saveSafetensors(any(x)), /^saveSafetensors: expected a module .*, got a tensor of shape \[2, 2\]/],
  ['saveSafetensors(module, null options)', () => nn.saveSafetensors(new nn.Linear(1, 1), any(null)), /^saveSafetensors: options must be an object \(\{ … \}\), got null/],
  ['saveSafetensors(module, { dtype: a tensor })', () => nn.saveSafetensors(new nn.Linear(1, 1), { dtype: any(x) }), /^saveSafetensors: dtype must be 'float64' or 'float32', got tensor\(/],
  ['loadSafetensors(null, bytes)', () => nn.loadSafetensors(any(null), new Uint8Array(8)), /^loadSafetensors: expected a module .*, got null/],
  ['loadSafetensors(a string, bytes)', () => nn.loadSafetensors(any('model'), new Uint8Array(8)), /^loadSafetensors: expected a module .*, got the string 'model'/],
  ['mseLoss(p, y, an array for options)', () => nn.mseLoss(x, x, any(['sum'])), /^mseLoss: options must be an object \(\{ … \}\), got an array/],
  ['crossEntropyLoss(…, a tensor for options)', () => nn.crossEntropyLoss(x, tensor([0, 1]), any(x)), /^crossEntropyLoss: options must be an object \(\{ … \}\), got a tensor/],
  // optim
  ['new Adam(params, null options)', () => new optim.Adam([leaf()], any(null)), /^Adam: options must be an object \(\{ … \}\), got null/],
  ['new AdamW(params, a number for options)', () => new optim.AdamW([leaf()], any(0.01)), /^AdamW: options must be an object \(\{ … \}\), got number 0\.01/],
  ['new RMSprop(params, null options)', () => new optim.RMSprop([leaf()], any(null)), /^RMSprop: options must be an object \(\{ … \}\), got null/],
  ['new SGD(params, a number for options)', () => new optim.SGD([leaf()], any(0.1)), /^SGD: options must be an object \(\{ … \}\), got number 0\.1/],
  ['new Adam(…, { betas: a tensor })', () => new optim.Adam([leaf()], { betas: any(x) }), /^Adam: betas must be two numbers \[β₁, β₂\], got tensor\(/],
  ['new RMSprop(…, { centered: 1 })', () => new optim.RMSprop([leaf()], { centered: any(1) }), /^RMSprop: centered must be true or false, got number 1/],
  ['optimizer.lr = an object', () => { sgd().lr = any({}); }, /^SGD: lr must be a finite number ≥ 0, got an object/],
  ['new StepLR(opt, a number for options)', () => new optim.StepLR(sgd(), any(2)), /^StepLR: options must be an object \(\{ … \}\), got number 2/],
  ['new CosineAnnealingLR(opt, null options)', () => new optim.CosineAnnealingLR(sgd(), any(null)), /^CosineAnnealingLR: options must be an object \(\{ … \}\), got null/],
  ['new StepLR(a tensor, options)', () => new optim.StepLR(any(x), { stepSize: 1 }), /^StepLR: expected an optimizer \(optim\.SGD, optim\.Adam, …\), got a tensor/],
];

describe('a wrong argument is refused with an Error naming the function and what it got', () => {
  it.each(cases)('%s', (_what, f, message) => {
    let error: unknown = null;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(error, 'no error was thrown').toBeInstanceOf(Error);
    expect((error as Error).constructor, `a ${(error as Error).constructor.name}, not a plain Error`).toBe(Error);
    expect((error as Error).message).toMatch(message);
  });

  it('grad takes its options the same way (an object), and a tensor list', () => {
    const w = leaf();
    expect(() => grad(w.sum(), any('w'))).toThrow(/^grad: input 0 must be a tensor, got the string 'w'/);
    expect(() => grad(w.sum(), [w], any(3))).toThrow(/^grad: options must be an object, got number 3/);
  });
});
