// Derivatives of derivatives: grad() with createGraph, hessian, hvp, a third derivative, gradgradcheck of every op,
// and the documents' losses against PyTorch float64.
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits, grad, gradgradcheck, hessian, hvp, linear, maximum, minimum, nn, RandomState,
  squaredError, Tensor, tensor, where, type Operand, type Shape,
} from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';

const input = (shape: Shape, lo: number, hi: number, seed: number): Tensor =>
  Tensor.from(new RandomState(seed).uniform(lo, hi, shape), [...shape], { requiresGrad: true });
const TOL = { eps: 1e-6, atol: 1e-7, rtol: 1e-5 };

describe('grad(): torch.autograd.grad semantics', () => {
  it('returns one gradient per input and leaves .grad alone', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true }), y = tensor(2, { requiresGrad: true });
    const [gx, gy] = grad(x.mul(x).mul(y).sum(), [x, y]); // d/dx = 2xy, d/dy = Σx²
    expect(Array.from(gx!.data)).toEqual([4, 8, 12]);
    expect(gy!.item()).toBe(14);
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
  });

  it('gradOutputs seeds a non-scalar output; an unused input is an error unless allowUnused', () => {
    const x = tensor([1, 2], { requiresGrad: true }), unused = tensor([5], { requiresGrad: true });
    const out = x.mul(3);
    const [g] = grad(out, [x], { gradOutputs: tensor([1, -2]), retainGraph: true });
    expect(Array.from(g!.data)).toEqual([3, -6]);
    expect(() => grad(out, [x, unused], { gradOutputs: tensor([1, 1]), retainGraph: true })).toThrow(/grad: input 1 of shape \[1\] was not used.*allowUnused/);
    expect(grad(out, [x, unused], { gradOutputs: tensor([1, 1]), allowUnused: true })[1]).toBeNull();
    expect(() => grad(x.sum(), [tensor([1])])).toThrow(/grad: input 0 of shape \[1\] does not require grad/);
  });

  it('without createGraph the gradient is a plain tensor; with it, a graph that can be differentiated', () => {
    const x = tensor(3, { requiresGrad: true });
    expect(grad(x.pow(3), [x])[0]!.requiresGrad).toBe(false);
    const [g] = grad(x.pow(3), [x], { createGraph: true }); // 3x² = 27
    expect(g!.item()).toBe(27);
    expect(g!.requiresGrad).toBe(true);
    expect(grad(g!, [x])[0]!.item()).toBe(18); // 6x
  });

  it('createGraph keeps the graph by default (retainGraph follows it), as PyTorch', () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.exp();
    grad(y, [x], { createGraph: true });
    expect(grad(y, [x])[0]!.item()).toBeCloseTo(Math.exp(2), 14);
    expect(() => grad(y, [x])).toThrow(/already freed/);
  });

  it('backward({ createGraph }) leaves a .grad that can be differentiated: an exact second derivative', () => {
    const x = tensor([0.5, -1], { requiresGrad: true });
    x.sin().sum().backward(undefined, { createGraph: true }); // .grad = cos x, in the graph
    const cos = x.grad!;
    expect(cos.requiresGrad).toBe(true);
    const [second] = grad(cos.sum(), [x]); // −sin x
    const want = [-Math.sin(0.5), -Math.sin(-1)];
    expectClose(second!.data, want, { atol: 1e-15 * maxAbs(want) }, 'd²/dx² sin');
  });
});

describe('a third derivative, and more', () => {
  const nth = (f: (t: Tensor) => Tensor, x0: number, n: number): number => {
    const x = tensor(x0, { requiresGrad: true });
    let y = f(x);
    for (let k = 0; k < n; k++) [y] = grad(y, [x], { createGraph: true }) as [Tensor];
    return y.item();
  };

  it('d³/dx³ of σ(x) is σ(1 − σ)(1 − 6σ + 6σ²), exactly', () => {
    for (const x0 of [-2, -0.3, 0, 1.7]) {
      const s = 1 / (1 + Math.exp(-x0));
      expect(nth((t) => t.sigmoid(), x0, 3)).toBeCloseTo(s * (1 - s) * (1 - 6 * s + 6 * s * s), 14);
    }
  });

  it('x⁵: 5x⁴, 20x³, 60x², 120x, 120, 0', () => {
    const want = (x: number): number[] => [5 * x ** 4, 20 * x ** 3, 60 * x ** 2, 120 * x, 120];
    for (const x0 of [-1.5, 0.5, 2]) want(x0).forEach((w, k) => expect(nth((t) => t.pow(5), x0, k + 1)).toBeCloseTo(w, 10));
  });

  it('tanh, log and the fused losses to third order against finite differences of the second derivative', () => {
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['tanh', (t) => t.tanh()],
      ['log', (t) => t.log()],
      ['squaredError', (t) => squaredError(t.sigmoid(), 0.25)],
      ['bceWithLogits', (t) => binaryCrossEntropyWithLogits(t, 0.75)],
    ];
    for (const [name, f] of cases) {
      const x0 = 0.7, h = 1e-5;
      const third = nth(f, x0, 3), fd = (nth(f, x0 + h, 2) - nth(f, x0 - h, 2)) / (2 * h);
      expectClose(third, fd, { rtol: 5e-7, atol: 5e-7 }, name); // within the 1e-6·max(1, |fd|) this check had
    }
  });
});

describe('hessian and hvp', () => {
  it('a quadratic form xᵀAx has Hessian A + Aᵀ, for one input and for blocks of several', () => {
    const A = tensor([[1, 2, 0], [-1, 3, 4], [0.5, 0, -2]]);
    const x = tensor([[0.3], [-0.2], [1.1]]);
    const H = hessian((t) => t.T.matmul(A).matmul(t).sum(), x);
    expect(H.shape).toEqual([3, 1, 3, 1]);
    expect(H.reshape(3, 3).toArray()).toEqual(A.add(A.T).toArray());
    // f(a, b) = a²·b: ∂²/∂a² = 2b, ∂²/∂a∂b = 2a, ∂²/∂b² = 0
    const blocks = hessian((a, b) => a.square().mul(b).sum(), [tensor(3), tensor(5)]);
    expect(blocks.map((row) => row.map((h) => h.item()))).toEqual([[10, 6], [6, 0]]);
  });

  it('hvp equals the Hessian times the vector, and leaves the inputs alone', () => {
    const f = (t: Tensor): Tensor => t.sin().mul(t.square()).sum();
    const x = tensor([0.1, -0.7, 1.3]), v = tensor([1, 2, -1]);
    const H = hessian(f, x), [value, hv] = hvp(f, x, v);
    expect(value.item()).toBeCloseTo(f(x).item(), 15);
    const Hv = H.matmul(v.reshape(3, 1)).reshape(3).data;
    expectClose(hv.data, Hv, { atol: 1e-14 * maxAbs(Hv) }, 'H·v');
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });

  it('refuse a non-scalar function and a vector of the wrong shape', () => {
    expect(() => hessian((t) => t.mul(2), tensor([1, 2]))).toThrow(/hessian: fn must return a one-element tensor, got shape \[2\]/);
    expect(() => hvp((t) => t.sum(), tensor([1, 2]), tensor([1]))).toThrow(/hvp: v\[0\] must be a tensor of the input's shape \[2\], got \[1\]/);
  });
});

// Computed once with PyTorch 1.13 (float64), torch.autograd.grad with create_graph=True and then grad_outputs=v,
// and torch.autograd.functional.hessian; the script is in the comment at the end of this file.
describe('the documents\' losses against PyTorch (float64)', () => {
  const X = tensor([[0.5, -1.2, 1.0], [1.5, 0.3, 1.0], [-0.7, 2.0, 1.0], [0.2, -0.4, 1.0]]);
  const y = tensor([[1], [0], [1], [0]]);
  const v = tensor([[1], [-2], [0.5]]);
  const losses = {
    log: (th: Tensor): Tensor => {
      const h = X.matmul(th).sigmoid();
      return y.mul(h.log()).add(y.neg().add(1).mul(h.neg().add(1).log())).mean().neg();
    },
    squared: (th: Tensor): Tensor => nn.mseLoss(X.matmul(th).sigmoid(), y).mul(0.5),
  };
  const torch = {
    log: {
      grad: [0.36670308503491494, -0.3730162197234589, 0.029523950178245856],
      hvp: [0.31638843086073964, -0.4626478975301662, 0.18818970395011012],
      hessian: [0.1666086911254312, -0.0492001137899093, 0.1027590243109798, -0.04920011378990924, 0.20833985636352464,
        0.006463857973584987, 0.10275902431097983, 0.00646385797358498, 0.1967167911726007],
    },
    squared: {
      grad: [0.07423916667586974, -0.04675277139377774, 0.03405045107985782],
      hvp: [0.0005245298182881043, 0.07110114794454554, 0.1289262696833369],
      hessian: [0.01760508063895791, 0.016625837594097553, 0.03234224873505057, 0.016625837594097546, -0.03847871485173919,
        -0.044964238706060755, 0.03234224873505057, -0.044964238706060755, 0.013311087072329645],
    },
  };
  for (const name of ['log', 'squared'] as const) {
    it(`logistic regression, ${name} loss: gradient, Hessian-vector product and Hessian`, () => {
      const theta = tensor([[0.3], [-0.8], [0.1]], { requiresGrad: true });
      const [g] = grad(losses[name](theta), [theta], { createGraph: true });
      expectClose(g!.data, torch[name].grad, { atol: 1e-14 * maxAbs(torch[name].grad) }, 'grad');
      expectClose(grad(g!, [theta], { gradOutputs: v })[0]!.data, torch[name].hvp, { atol: 1e-13 * maxAbs(torch[name].hvp) }, 'hvp');
      expectClose(hvp(losses[name], theta.detach(), v)[1].data, torch[name].hvp, { atol: 1e-13 * maxAbs(torch[name].hvp) }, 'hvp()');
      expectClose(hessian(losses[name], theta.detach()).data, torch[name].hessian, { atol: 1e-13 * maxAbs(torch[name].hessian) }, 'hessian');
    });
  }

  it('the XOR net (F10 weights, np.random.seed(1)), both losses: gradients and Hessian-vector products', () => {
    const rng = new RandomState(1);
    const w0 = Tensor.from(rng.uniform(-1, 1, [3, 4]), [3, 4]), w1 = Tensor.from(rng.uniform(-1, 1, [4, 1]), [4, 1]);
    const Xx = tensor([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]), Y = tensor([[0], [1], [1], [0]]);
    const z = (a: Tensor, b: Tensor): Tensor => Xx.matmul(a).sigmoid().matmul(b);
    const fns = {
      squared: (a: Tensor, b: Tensor): Tensor => nn.mseLoss(z(a, b).sigmoid(), Y, { reduction: 'sum' }).mul(0.5),
      log: (a: Tensor, b: Tensor): Tensor => nn.bceWithLogitsLoss(z(a, b), Y, { reduction: 'sum' }),
    };
    const V0 = Tensor.from(Float64Array.from({ length: 12 }, (_, i) => -1 + (2 * i) / 11), [3, 4]), V1 = tensor([[0.5], [-0.25], [1], [-1]]);
    const want = {
      squared: {
        J: 0.4951865354020255,
        g0: [0.0010368297984490685, 0.004964756867921277, 0.0037542215873213707, 0.001555446495114134, 0.00030748600294259326, 0.0038499869649107135,
          0.01025853905559991, 0.0003253507079024349, -0.0008048910326164463, 0.0061255544929144055, 0.0019528962395484809, 0.00041050689521485856],
        g1: [0.004513854630557423, 0.006693247497882859, 0.006769316348954918, 0.004551329347278164],
        hv0: [0.006070899790276953, -0.007041534695080008, -0.0023576729902600145, -0.004731592800544412, 0.009077795206332931, -0.009425975326173466,
          -0.002246967889699046, -0.0004908054835453604, 0.01002413238433501, -0.01471735601720968, 0.009862626186452624, -0.0040099402499119904],
        hv1: [-0.009390163841364303, -0.017171327488556813, -0.009609706988905545, -0.0177861853283006],
      },
      log: {
        J: 2.7533366291026,
        g0: [0.004160573766051084, 0.020044083451566663, 0.015113669354680767, 0.006283973431372526, 0.0007726340897146675, 0.016164168498303405,
          0.04057965261119585, 0.0016412305056966864, -0.0033674013719472914, 0.024892886102879527, 0.007651959094209224, 0.0017907140271353067],
        g1: [0.0182448917109492, 0.027030108352566584, 0.027388137066589296, 0.018936287148409392],
        hv0: [0.02461877009103304, -0.028947104144009642, -0.009498242663766511, -0.019324362942806317, 0.03809505927600857, -0.03991920599970666,
          -0.007214420590583852, -0.0037905610637394282, 0.04043618295003673, -0.05958692493750004, 0.03946556683935381, -0.016668791961119686],
        hv1: [-0.037094104139873164, -0.06832645407527402, -0.0376304259736894, -0.07101918375197702],
      },
    };
    for (const name of ['squared', 'log'] as const) {
      const [value, [hv0, hv1]] = hvp(fns[name], [w0, w1], [V0, V1]);
      expect(value.item()).toBeCloseTo(want[name].J, 14);
      const a = w0.detach(), b = w1.detach();
      a.requiresGrad = b.requiresGrad = true;
      const [g0, g1] = grad(fns[name](a, b), [a, b]);
      expectClose(g0!.data, want[name].g0, { atol: 1e-13 * maxAbs(want[name].g0) }, `${name} g0`);
      expectClose(g1!.data, want[name].g1, { atol: 1e-13 * maxAbs(want[name].g1) }, `${name} g1`);
      expectClose(hv0.data, want[name].hv0, { atol: 1e-13 * maxAbs(want[name].hv0) }, `${name} hv0`);
      expectClose(hv1.data, want[name].hv1, { atol: 1e-13 * maxAbs(want[name].hv1) }, `${name} hv1`);
    }
  });
});

// Second derivatives of every op over broadcasting shapes: the first derivatives, built with createGraph, are
// differentiated again and compared with finite differences of themselves.
describe('gradgradcheck: every op', () => {
  const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void => {
    const r = gradgradcheck(fn, inputs, TOL);
    expect(r.ok, r.message).toBe(true);
  };
  const PAIRS: [Shape, Shape][] = [[[3, 4], [3, 4]], [[3, 4], []], [[4], [3, 4]], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]]];
  const BINARY: [string, (a: Tensor, b: Operand) => Tensor, [number, number], [number, number]][] = [
    ['add', (a, b) => a.add(b), [-2, 2], [-2, 2]],
    ['sub', (a, b) => a.sub(b), [-2, 2], [-2, 2]],
    ['mul', (a, b) => a.mul(b), [-2, 2], [-2, 2]],
    ['div', (a, b) => a.div(b), [-2, 2], [0.5, 2]],
    ['pow', (a, b) => a.pow(b), [0.5, 2], [-1.5, 1.5]],
    ['maximum', (a, b) => maximum(a, b), [-2, 0], [0.1, 2]],
    ['minimum', (a, b) => minimum(a, b), [-2, 0], [0.1, 2]],
    ['squaredError', (a, b) => squaredError(a, b), [-2, 2], [-2, 2]],
    ['bceWithLogits', (a, b) => binaryCrossEntropyWithLogits(a, b), [-3, 3], [0, 1]],
  ];
  const cases = BINARY.flatMap(([name, f, da, db]) => PAIRS.map(([sa, sb]) => [name, sa, sb, f, da, db] as const));
  it.each(cases)('%s %j with %j', (_name, sa, sb, f, da, db) => check(f, [input(sa, da[0], da[1], 1), input(sb, db[0], db[1], 2)]));

  const UNARY: [string, (t: Tensor) => Tensor, [number, number]][] = [
    ['neg', (t) => t.neg(), [-2, 2]], ['exp', (t) => t.exp(), [-2, 2]], ['log', (t) => t.log(), [0.5, 3]],
    ['sigmoid', (t) => t.sigmoid(), [-3, 3]], ['tanh', (t) => t.tanh(), [-2, 2]], ['relu', (t) => t.relu(), [0.1, 2]],
    ['abs', (t) => t.abs().mul(t), [0.1, 2]], ['sqrt', (t) => t.sqrt(), [0.5, 3]], ['square', (t) => t.square(), [-2, 2]],
    ['sin', (t) => t.sin(), [-2, 2]], ['cos', (t) => t.cos(), [-2, 2]], ['log1p', (t) => t.log1p(), [-0.5, 2]],
    ['expm1', (t) => t.expm1(), [-2, 2]], ['softplus', (t) => t.softplus(), [-3, 3]], ['clamp', (t) => t.clamp(-1, 1).mul(t), [-0.9, 0.9]],
  ];
  it.each(UNARY)('%s', (_name, f, [lo, hi]) => check(f, [input([2, 3], lo, hi, 3)]));

  it('reductions, movement, matmul, linear, where', () => {
    const x = input([2, 3, 4], -1, 1, 4);
    check((t) => t.sum(1).square(), [x]);
    check((t) => t.mean([0, 2], true).mul(t), [x]);
    check((t) => t.max(-1).mul(t.sum(-1)), [x]);
    check((t) => t.min().mul(t.sum()), [x]);
    check((t) => t.reshape(4, -1).permute(1, 0).exp(), [x]);
    check((t) => t.expand(2, 2, 3, 4).sin(), [x]);
    check((a, b) => a.matmul(b).tanh(), [input([2, 3, 4], -1, 1, 5), input([4, 2], -1, 1, 6)]);
    check((a, w, b) => linear(a, w, b).sigmoid(), [input([5, 3], -1, 1, 7), input([3, 2], -1, 1, 8), input([2], -1, 1, 9)]);
    check((a, b) => where(a.gt(0), a.square(), b.exp()), [input([3, 4], -1, 1, 10), input([4], -1, 1, 11)]);
  });
});

/* The PyTorch values above (PyTorch 1.13, /usr/bin/python3):
torch.set_default_dtype(torch.float64)
X = torch.tensor([[0.5,-1.2,1.],[1.5,0.3,1.],[-0.7,2.,1.],[0.2,-0.4,1.]]); y = torch.tensor([[1.],[0.],[1.],[0.]])
theta = torch.tensor([[0.3],[-0.8],[0.1]], requires_grad=True); v = torch.tensor([[1.],[-2.],[0.5]])
log_loss = lambda th: -(y*torch.log(torch.sigmoid(X@th)) + (1-y)*torch.log(1-torch.sigmoid(X@th))).mean()
sq_loss = lambda th: (0.5*(y - torch.sigmoid(X@th))**2).mean()
g, = torch.autograd.grad(f(theta), theta, create_graph=True); hv, = torch.autograd.grad(g, theta, grad_outputs=v)
H = torch.autograd.functional.hessian(f, theta)
np.random.seed(1); syn0 = torch.tensor(2*np.random.random((3,4))-1); syn1 = torch.tensor(2*np.random.random((4,1))-1)
sq = lambda w0, w1: 0.5*((Y - torch.sigmoid(torch.sigmoid(Xx@w0)@w1))**2).sum()
bce = lambda w0, w1: F.binary_cross_entropy_with_logits(torch.sigmoid(Xx@w0)@w1, Y, reduction='sum')
V0 = torch.linspace(-1, 1, 12).reshape(3, 4); V1 = torch.tensor([[0.5],[-0.25],[1.],[-1.]])
g0, g1 = torch.autograd.grad(J, (syn0, syn1), create_graph=True); h0, h1 = torch.autograd.grad((g0, g1), (syn0, syn1), grad_outputs=(V0, V1))
*/
