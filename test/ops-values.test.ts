// Values, gradients and errors of the ops of issue #11, against PyTorch 1.13 (float64) and NumPy, whose results
// were computed once and are written here as literals (each block says how), or against plain arithmetic.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arange, cat, dropout, maximum, minimum, RandomState, stack, Tensor, tensor, where, zeros } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

const leaf = (v: number[][] | number[], requiresGrad = true): Tensor => tensor(v, { requiresGrad });
const flat = (t: Tensor): number[] => Array.from(t.data);

/** Σ w·y backward from y = f(x); returns y and x's gradient. */
function valueAndGrad(f: (x: Tensor) => Tensor, x: Tensor, w: Tensor): [Tensor, Tensor] {
  x.grad = null;
  const y = f(x);
  y.mul(w).sum().backward();
  return [y, x.grad!];
}

describe('softmax and logSoftmax against PyTorch', () => {
  // torch.softmax / torch.log_softmax of x (float64), then (y * w).sum().backward(); printed with .tolist().
  const x = (): Tensor => leaf([[1000, -1000, 0.5], [-2, 3, 0.25]]);
  const w = tensor([[0.5, -1.25, 2.0], [1.5, 0.75, -0.5]]);
  const CASES: [string, (t: Tensor) => Tensor, number[], number[]][] = [
    ['softmax(-1)', (t) => t.softmax(-1),
      [1, 0, 0, 0.006293230761125011, 0.9339982582200754, 0.0597085110187996],
      [0, 0, 0, 0.005159918803589782, 0.06530115668849046, -0.07046107549208022]],
    ['softmax(0)', (t) => t.softmax(0),
      [1, 0, 0.5621765008857981, 0, 1, 0.4378234991142019],
      [0, 0, 0.6153352068439959, 0, 0, -0.6153352068439958]],
    ['logSoftmax(-1)', (t) => t.logSoftmax(),
      [0, -2000, -999.5, -5.068280705615766, -0.06828070561576617, -2.8182807056157664],
      [-0.75, -1.25, 2.0, 1.4889868461680313, -0.884496951885132, -0.6044898942828993]],
    ['logSoftmax(0)', (t) => t.logSoftmax(0),
      [0, -1003, -0.5759394198788437, -1002, 0, -0.8259394198788437],
      [-1.5, -1.25, 1.156735248671303, 1.5, 1.25, -1.1567352486713027]],
  ];
  it.each(CASES)('%s at logits of ±1000: finite, and PyTorch\'s values and gradients', (_name, f, wantY, wantG) => {
    const [y, g] = valueAndGrad(f, x(), w);
    expect(flat(y).every(Number.isFinite) && flat(g).every(Number.isFinite)).toBe(true);
    expectClose(y.data, wantY, { rtol: 1e-14 }, 'value');
    expectClose(g.data, wantG, { rtol: 5e-14, atol: 5e-29 }, 'gradient');
  });

  // x3[k] = ((7k mod 11) − 5)·0.75, w3[k] = ((5k mod 7) − 3)·0.5 for k < 24, shape [2, 3, 4], along axis 1.
  const x3 = (): Tensor => Tensor.from(Float64Array.from({ length: 24 }, (_, k) => (((k * 7) % 11) - 5) * 0.75), [2, 3, 4], { requiresGrad: true });
  const w3 = Tensor.from(Float64Array.from({ length: 24 }, (_, k) => (((k * 5) % 7) - 3) * 0.5), [2, 3, 4]);
  it('along the middle axis of a 3-D tensor', () => {
    const [y, g] = valueAndGrad((t) => t.softmax(1), x3(), w3);
    expectClose(y.data, [0.010737202203506498, 0.3184188327003521, 0.010737202203506498, 0.9764949557045374, 0.9665321405532966, 0.007488493183213963, 0.9665321405532966, 0.022964960197934182, 0.0227306572431969, 0.6740926741164339, 0.0227306572431969, 0.0005400840975283808, 0.3184188327003521, 0.010737202203506498, 0.9764949557045374, 0.3184188327003521, 0.007488493183213963, 0.9665321405532966, 0.022964960197934182, 0.007488493183213963, 0.6740926741164339, 0.0227306572431969, 0.0005400840975283808, 0.6740926741164339], { rtol: 1e-14 }, 'softmax');
    expectClose(g.data, [-0.03174371224552313, 0.2158360410530555, 0.00543298917769316, 0.009894110403387248, 0.04211850848865141, 0.0013317305684459263, 0.005796029886070898, -0.011249792925028933, -0.010374796243128185, -0.21716777162150144, -0.011229019063764003, 0.0013556825216415823, 0.2158360410530555, 0.005432989177693161, -0.06859397686594662, 0.2158360410530555, 0.0013317305684459263, 0.005796029886071005, 0.06728170487861625, 0.0013317305684459263, -0.21716777162150144, -0.011229019063763999, 0.0013122719873301149, -0.21716777162150144], { rtol: 5e-13, atol: 5e-16 }, 'softmax grad');
    const [ly, lg] = valueAndGrad((t) => t.logSoftmax(1), x3(), w3);
    expectClose(ly.data, [-4.5340407263048865, -1.1443876788328373, -4.5340407263048865, -0.023785694367903443, -0.0340407263048864, -4.894387678832837, -0.0340407263048864, -3.7737856943679033, -3.7840407263048865, -0.3943876788328373, -3.7840407263048865, -7.523785694367904, -1.1443876788328373, -4.5340407263048865, -0.023785694367903443, -1.1443876788328373, -4.894387678832837, -0.0340407263048864, -3.7737856943679033, -4.894387678832837, -0.3943876788328373, -3.7840407263048865, -7.523785694367904, -0.3943876788328373], { rtol: 1e-14 }, 'logSoftmax');
    expectClose(lg.data, [-1.5107372022035066, 0.5223717509494719, 0.016105803305259743, -0.02350504429546263, 0.5334678594467034, 0.4887672602251791, 0.949798210829945, -1.4770350398020657, 0.9772693427568031, -1.0111390111746508, -0.9659040141352047, 1.5005400840975285, 0.5, -0.46778839338948053, -2.4764949557045375, 0.5223717509494719, 0, 1.89959642165989, 1.4770350398020657, 0.4887672602251791, -0.5, -1.4318080282704093, 0.9994599159024716, -1.0111390111746508], { rtol: 5e-13, atol: 5e-16 }, 'logSoftmax grad');
  });

  it('each line sums to 1; a 0-d tensor is one line; NaN spreads to its line only', () => {
    expectClose(arange(12).reshape(3, 4).softmax(0).sum(0).data, [1, 1, 1, 1], { rtol: 1e-15 }, 'sums');
    expect(tensor(5).softmax().item()).toBe(1);
    expect(tensor(5).logSoftmax(0).item()).toBe(0);
    const s = tensor([[1, NaN], [1, 2]]).softmax();
    expect(flat(s).slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(flat(s).slice(2).every(Number.isFinite)).toBe(true);
  });

  it('errors name the op and the axis', () => {
    expect(() => zeros([2, 3]).softmax(2)).toThrow(/^softmax: axis 2 is out of range for shape \[2, 3\]/);
    expect(() => zeros([2, 3]).logSoftmax(-3)).toThrow(/^logSoftmax: axis -3 is out of range/);
  });
});

describe('the elementwise ops against PyTorch', () => {
  // torch.<op>(x).sum().backward() for x = [0.25, 1, 2.5, 40], float64.
  const x = [0.25, 1.0, 2.5, 40.0];
  const CASES: [string, (t: Tensor) => Tensor, number[], number[]][] = [
    ['sqrt', (t) => t.sqrt(), [0.5, 1.0, 1.5811388300841898, 6.324555320336759], [1.0, 0.5, 0.31622776601683794, 0.07905694150420949]],
    ['sin', (t) => t.sin(), [0.24740395925452294, 0.8414709848078965, 0.5984721441039564, 0.7451131604793488], [0.9689124217106447, 0.5403023058681398, -0.8011436155469337, -0.6669380616522619]],
    ['cos', (t) => t.cos(), [0.9689124217106447, 0.5403023058681398, -0.8011436155469337, -0.6669380616522619], [-0.24740395925452294, -0.8414709848078965, -0.5984721441039564, -0.7451131604793488]],
    ['log1p', (t) => t.log1p(), [0.22314355131420976, 0.6931471805599453, 1.252762968495368, 3.713572066704308], [0.8, 0.5, 0.2857142857142857, 0.024390243902439025]],
    ['expm1', (t) => t.expm1(), [0.2840254166877415, 1.7182818284590453, 11.182493960703473, 2.3538526683702e+17], [1.2840254166877414, 2.7182818284590455, 12.182493960703473, 2.3538526683702e+17]],
    ['square', (t) => t.square(), [0.0625, 1.0, 6.25, 1600.0], [0.5, 2.0, 5.0, 80.0]],
  ];
  it.each(CASES)('%s', (_name, f, wantY, wantG) => {
    const t = leaf(x), y = f(t);
    y.sum().backward();
    expectClose(y.data, wantY, { rtol: 1e-15 }, 'value');
    expectClose(t.grad!.data, wantG, { rtol: 1e-15 }, 'gradient');
  });

  it('softplus is stable from −800 to 800 (torch.nn.functional.softplus; above 20 PyTorch returns x itself, 1e-14 away)', () => {
    const z = leaf([-800, -40, -1, 0, 1e-3, 30, 800]), y = z.softplus();
    y.sum().backward();
    expectClose(y.data, [0, 4.248354255291589e-18, 0.31326168751822286, 0.6931471805599453, 0.6936473055599401, 30.0, 800.0], { rtol: 1e-14 }, 'value');
    expectClose(z.grad!.data, [0, 4.248354255291589e-18, 0.2689414213699951, 0.5, 0.5002499999791666, 1.0, 1.0], { rtol: 1e-13 }, 'gradient');
  });
});

describe('min, argmax, argmin against PyTorch', () => {
  const t = tensor([[3, -1, 3, 0.5], [2, 7, -4, 7], [-4, 0, 0, -4]]);
  it('argmax and argmin: the first extreme, flattened or along an axis, with keepdim', () => {
    expect(t.argmax().toArray()).toBe(5);
    expect(t.argmax(1).toArray()).toEqual([0, 1, 1]);
    expect(t.argmax(0, true).toArray()).toEqual([[0, 1, 0, 1]]);
    expect(t.argmin().toArray()).toBe(6);
    expect(t.argmin(1).toArray()).toEqual([1, 2, 0]);
    expect(t.argmin(0).toArray()).toEqual([2, 0, 1, 2]);
    expect(t.argmax(undefined, true).shape).toEqual([1, 1]);
  });
  it('min: values, and the gradient to the first smallest of each line (torch: min(1).values.sum().backward())', () => {
    expect(t.min().item()).toBe(-4);
    expect(t.min(1).toArray()).toEqual([-1, -4, -4]);
    expect(t.min(0, true).toArray()).toEqual([[-4, -1, -4, -4]]);
    const x = leaf(t.toArray() as number[][]);
    x.min(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]);
  });
  it('indices and comparisons are constants: no gradient, nothing recorded (as PyTorch\'s long and bool results)', () => {
    const x = leaf([1, 5, 2]);
    for (const r of [x.argmax(), x.argmin(0), x.gt(2), x.lt(x), x.ge(tensor([1])), x.le(2), x.eq(5), x.ne(x)]) {
      expect(r.requiresGrad).toBe(false);
      expect(r.gradFn).toBeNull();
    }
    expect(x.sign().requiresGrad).toBe(true); // a zero gradient, as PyTorch's sign
  });
});

describe('comparisons, maximum, minimum, where', () => {
  it('comparisons with a number or a broadcast tensor give 0 and 1', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]), b = tensor([[2], [5]]);
    expect(a.gt(2).toArray()).toEqual([[0, 0, 1], [1, 1, 1]]);
    expect(a.lt(b).toArray()).toEqual([[1, 0, 0], [1, 0, 0]]);
    expect(a.ge(b).toArray()).toEqual([[0, 1, 1], [0, 1, 1]]);
    expect(a.le(tensor([1, 5, 3])).toArray()).toEqual([[1, 1, 1], [0, 1, 0]]);
    expect(a.eq(b).toArray()).toEqual([[0, 1, 0], [0, 1, 0]]);
    expect(a.ne(3).toArray()).toEqual([[1, 1, 0], [1, 1, 1]]);
    expect(tensor([NaN]).eq(NaN).item()).toBe(0);
    expect(() => a.gt(tensor([1, 2]))).toThrow(/^gt: shapes \[2, 3\] and \[2\] cannot be broadcast/);
  });

  // torch.maximum / torch.minimum of a = [1, 2, 3] and b = [[1], [2.5]], (y * [[1, 2, 3], [4, 5, 6]]).sum().backward():
  // on the tie a = b = 1 the gradient is split evenly.
  it('maximum and minimum broadcast and split the gradient on ties (PyTorch)', () => {
    const w = tensor([[1, 2, 3], [4, 5, 6]]);
    const a = leaf([1, 2, 3]), b = leaf([[1], [2.5]]);
    const y = maximum(a, b);
    y.mul(w).sum().backward();
    expect(y.toArray()).toEqual([[1, 2, 3], [2.5, 2.5, 3]]);
    expect(flat(a.grad!)).toEqual([0.5, 2, 9]);
    expect(flat(b.grad!)).toEqual([0.5, 9]);
    a.grad = null; b.grad = null;
    const z = minimum(a, b);
    z.mul(w).sum().backward();
    expect(z.toArray()).toEqual([[1, 1, 1], [1, 2, 2.5]]);
    expect(flat(a.grad!)).toEqual([4.5, 5, 0]);
    expect(flat(b.grad!)).toEqual([5.5, 6]);
    expect(maximum(2, a).toArray()).toEqual([2, 2, 3]);
  });

  // torch.where(c = [[True], [False]], a = [1, 2, 3], b = −1 (0-d)), (y * [[1, 2, 3], [4, 5, 6]]).sum().backward().
  it('where broadcasts the condition and both branches (PyTorch)', () => {
    const a = leaf([1, 2, 3]), b = tensor(-1, { requiresGrad: true });
    const y = where(tensor([[1], [0]]), a, b);
    y.mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    expect(y.toArray()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    expect(flat(a.grad!)).toEqual([1, 2, 3]);
    expect(b.grad!.item()).toBe(15);
    expect(where(tensor([1, 0]), 7, tensor([[1, 2]])).toArray()).toEqual([[7, 2]]);
    expect(() => where(tensor([1, 0, 1]), a, tensor([1, 2]))).toThrow(/^where: shapes \[3\] and \[2\] cannot be broadcast/);
  });
});

describe('shapes: unsqueeze, squeeze, flatten, expand, reshape', () => {
  const x = arange(6).reshape(2, 1, 3);
  it('unsqueeze inserts a 1 at the axis (−1 appends), a view of the same storage', () => {
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3]);
    expect(x.unsqueeze(3).shape).toEqual([2, 1, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1]);
    expect(x.unsqueeze(-4).shape).toEqual([1, 2, 1, 3]);
    expect(tensor(3).unsqueeze(0).shape).toEqual([1]);
    expect(flat(x.unsqueeze(1))).toEqual([0, 1, 2, 3, 4, 5]);
    const y = arange(3), v = y.unsqueeze(0);
    y.data[1] = 9; // a view: the storage is shared, as reshape's
    expect(flat(v)).toEqual([0, 9, 2]);
    expect(() => x.unsqueeze(4)).toThrow(/^unsqueeze: axis 4 is out of range for shape \[2, 1, 3, 1\]/);
  });
  it('squeeze removes dims of size 1: all, or only the given ones (a dim that is not 1 is kept, as PyTorch)', () => {
    const t = zeros([1, 2, 1, 3, 1]);
    expect(t.squeeze().shape).toEqual([2, 3]);
    expect(t.squeeze(2).shape).toEqual([1, 2, 3, 1]);
    expect(t.squeeze([0, -1]).shape).toEqual([2, 1, 3]);
    expect(t.squeeze(1).shape).toEqual([1, 2, 1, 3, 1]);
    expect(zeros([1]).squeeze().shape).toEqual([]);
    expect(() => t.squeeze(5)).toThrow(/^squeeze: axis 5 is out of range for shape \[1, 2, 1, 3, 1\]/);
  });
  it('flatten merges a range of axes (torch: a 0-d tensor flattens to [1])', () => {
    const t = zeros([2, 3, 4, 5]);
    expect(t.flatten().shape).toEqual([120]);
    expect(t.flatten(1).shape).toEqual([2, 60]);
    expect(t.flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(t.flatten(-2).shape).toEqual([2, 3, 20]);
    expect(t.flatten(2, 2).shape).toEqual([2, 3, 4, 5]);
    expect(tensor(7).flatten().toArray()).toEqual([7]);
    expect(() => t.flatten(2, 1)).toThrow(/^flatten: startAxis 2 comes after endAxis 1 \(shape \[2, 3, 4, 5\]\)/);
    expect(() => t.flatten(0, 4)).toThrow(/^flatten: axis 4 is out of range/);
  });
  it('expand: −1 keeps a dim, new leading dims need a size', () => {
    expect(tensor([[1], [2]]).expand(3, -1, 2).toArray()).toEqual([[[1, 1], [2, 2]], [[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
    expect(() => tensor([[1], [2]]).expand(-1, 2, 2)).toThrow(/^expand: -1 in \[-1, 2, 2\] .*shape \[2, 1\].*new leading dim/);
    expect(() => tensor([[1], [2]]).expand(3, 2)).toThrow(/^expand: /);
  });
});

describe('slicing against NumPy', () => {
  // a = np.arange(60.).reshape(3, 4, 5); each key below is a NumPy basic index a[key], printed shape and
  // .flatten().tolist(); the specs are the same index written for slice().
  const a = arange(60).reshape(3, 4, 5);
  const CASES: [string, Parameters<Tensor['slice']>, number[], number[]][] = [
    ['[0:2, :, 1::2]', [[0, 2], null, [1, null, 2]], [2, 4, 2], [1, 3, 6, 8, 11, 13, 16, 18, 21, 23, 26, 28, 31, 33, 36, 38]],
    ['[-1, 1:3, -2:]', [-1, [1, 3], [-2]], [2, 2], [48, 49, 53, 54]],
    ['[5:0:-2, 2]', [[5, 0, -2], 2], [1, 5], [50, 51, 52, 53, 54]],
    ['[0:0]', [[0, 0]], [0, 4, 5], []],
    ['[:, -100:100:3, 4:-100:-3]', [null, [-100, 100, 3], [4, -100, -3]], [3, 2, 2], [4, 1, 19, 16, 24, 21, 39, 36, 44, 41, 59, 56]],
    ['[-2:, 1]', [[-2], 1], [2, 5], [25, 26, 27, 28, 29, 45, 46, 47, 48, 49]],
    ['[::2, ::-3, -1]', [[null, null, 2], [null, null, -3], -1], [2, 2], [19, 4, 59, 44]],
  ];
  it.each(CASES)('a%s', (_key, specs, shape, values) => {
    const s = a.slice(...specs);
    expect(s.shape).toEqual(shape);
    expect(flat(s)).toEqual(values);
  });
  it('[:, ::-1] reverses an axis', () => {
    expect(a.slice(null, [null, null, -1]).toArray()).toEqual((a.toArray() as number[][][]).map((m) => [...m].reverse()));
  });
  it('a slice is a copy in the graph, and its gradient lands in the box it came from', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    x.slice(null, [null, null, -2]).mul(tensor([[1, 2], [3, 4]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[2, 0, 1], [4, 0, 3]]);
  });
  it('errors name the axis and the offending spec', () => {
    expect(() => a.slice(null, 4)).toThrow(/^slice: index 4 is out of range for axis 1 of size 4 \(shape \[3, 4, 5\]\)/);
    expect(() => a.slice(-4)).toThrow(/^slice: index -4 is out of range for axis 0 of size 3/);
    expect(() => a.slice(null, null, [0, 5, 0])).toThrow(/^slice: step 0 for axis 2/);
    expect(() => a.slice(null, [0.5, 2])).toThrow(/^slice: spec \[0.5, 2\] for axis 1 must be null, an integer index, or \[start, stop, step\]/);
    expect(() => a.slice(null, [0, 1, 2, 3])).toThrow(/^slice: spec \[0, 1, 2, 3\] for axis 1/);
    expect(() => a.slice(null, null, null, null)).toThrow(/^slice: 4 specs for a tensor of 3 dims \(shape \[3, 4, 5\]\)/);
  });
});

describe('narrow, select, split, chunk, cat, stack', () => {
  const m = arange(12).reshape(3, 4);
  it('narrow and select, with negative starts and indices', () => {
    expect(m.narrow(1, 1, 2).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(m.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(m.narrow(1, 4, 0).shape).toEqual([3, 0]);
    expect(m.select(0, 1).toArray()).toEqual([4, 5, 6, 7]);
    expect(m.select(-1, -1).toArray()).toEqual([3, 7, 11]);
    expect(() => m.narrow(1, 2, 3)).toThrow(/^narrow: length 3 from start 2 does not fit axis 1 of size 4 \(shape \[3, 4\]\)/);
    expect(() => m.narrow(0, -4, 1)).toThrow(/^narrow: start -4 is out of range for axis 0 of size 3/);
    expect(() => m.select(1, 4)).toThrow(/^select: index 4 is out of range for axis 1 of size 4 \(shape \[3, 4\]\)/);
    expect(() => m.select(2, 0)).toThrow(/^select: axis 2 is out of range for shape \[3, 4\]/);
  });
  it('split by a size (the last piece shorter) or by sizes; chunk as PyTorch (torch.arange(5.).chunk(3): 2, 2, 1; arange(6).chunk(4): 2, 2, 2)', () => {
    expect(m.split(3, 1).map((t) => t.toArray())).toEqual([[[0, 1, 2], [4, 5, 6], [8, 9, 10]], [[3], [7], [11]]]);
    expect(m.split([1, 0, 2]).map((t) => t.shape)).toEqual([[1, 4], [0, 4], [2, 4]]);
    expect(arange(5).chunk(3).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(arange(6).chunk(4).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(zeros([0]).chunk(3).map((t) => t.shape)).toEqual([[0], [0], [0]]);
    expect(() => m.split([1, 1])).toThrow(/^split: sizes \[1, 1\] must be non-negative integers adding up to 3, the size of axis 0 of shape \[3, 4\]/);
    expect(() => m.split(0)).toThrow(/^split: size 0 must be a positive integer/);
    expect(() => m.chunk(0)).toThrow(/^chunk: the number of chunks 0 must be a positive integer/);
  });
  it('cat joins along an axis; stack along a new one; gradients flow back to each input', () => {
    const a = leaf([[1, 2], [3, 4]]), b = leaf([[5], [6]]);
    const c = cat([a, b, a], 1);
    expect(c.toArray()).toEqual([[1, 2, 5, 1, 2], [3, 4, 6, 3, 4]]);
    c.mul(arange(10).reshape(2, 5)).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0 + 3, 1 + 4], [5 + 8, 6 + 9]]);
    expect(b.grad!.toArray()).toEqual([[2], [7]]);
    expect(cat([a, a], -2).shape).toEqual([4, 2]);
    const s = stack([tensor([1, 2]), tensor([3, 4]), tensor([5, 6])], 1);
    expect(s.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([a, a], -1).shape).toEqual([2, 2, 2]);
  });
  it('cat and stack errors name the tensor and the shapes', () => {
    expect(() => cat([zeros([2, 3]), zeros([3, 3])], 1)).toThrow(/^cat: tensor 1 has shape \[3, 3\], which does not match tensor 0's \[2, 3\] outside axis 1/);
    expect(() => cat([zeros([2, 3]), zeros([6])])).toThrow(/^cat: tensor 1 has shape \[6\]/);
    expect(() => cat([])).toThrow(/^cat: expected a non-empty array of tensors/);
    expect(() => cat([zeros([2]), [1, 2] as unknown as Tensor])).toThrow(/^cat: tensor 1 must be a tensor, got an array/);
    expect(() => cat([tensor(1)])).toThrow(/^cat: cannot join 0-d tensors/);
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(/^stack: tensor 1 has shape \[3\], not tensor 0's \[2\]/);
    expect(() => stack([zeros([2])], 2)).toThrow(/^stack: axis 2 is out of range for shape \[2, 1\]/);
  });
});

describe('gather, indexSelect, scatterAdd against PyTorch', () => {
  const x = (): Tensor => leaf([[0.5, -1.0, 2.0, 3.5], [1.5, 0.25, -2.0, 4.0], [-0.75, 1.0, 0.0, 2.5]]);
  const w12 = arange(12).reshape(3, 4);
  // x.gather(1, [[0, 0, 3], [2, 1, 1], [1, 0, 3]]); (y * [[1, 2, −1], [0.5, −0.5, 3], [2, 1, 1]]).sum().backward()
  it('gather along axis 1 with repeated indices: the gradients of a repeat add up', () => {
    const t = x(), y = t.gather(1, tensor([[0, 0, 3], [2, 1, 1], [1, 0, 3]]));
    y.mul(tensor([[1, 2, -1], [0.5, -0.5, 3], [2, 1, 1]])).sum().backward();
    expect(y.toArray()).toEqual([[0.5, 0.5, 3.5], [-2.0, 0.25, 0.25], [1.0, -0.75, 2.5]]);
    expect(t.grad!.toArray()).toEqual([[3.0, 0.0, 0.0, -1.0], [0.0, 2.5, 0.5, 0.0], [1.0, 2.0, 0.0, 1.0]]);
  });
  // x.index_select(1, [3, 0, 3, 3]); (y * arange(12).reshape(3, 4)).sum().backward()
  it('indexSelect with repeats, from a tensor, an Int32Array or an array', () => {
    for (const index of [tensor([3, 0, 3, 3]), Int32Array.from([3, 0, 3, 3]), [3, 0, 3, 3]]) {
      const t = x(), y = t.indexSelect(1, index);
      y.mul(w12).sum().backward();
      expect(y.toArray()).toEqual([[3.5, 0.5, 3.5, 3.5], [4.0, 1.5, 4.0, 4.0], [2.5, -0.75, 2.5, 2.5]]);
      expect(t.grad!.toArray()).toEqual([[1.0, 0.0, 0.0, 5.0], [5.0, 0.0, 0.0, 17.0], [9.0, 0.0, 0.0, 29.0]]);
    }
    expect(x().indexSelect(0, tensor(2)).toArray()).toEqual([[-0.75, 1.0, 0.0, 2.5]]);
  });
  // x.scatter_add(1, [[0, 0, 3], [1, 2, 2]], src = [[1, 2, 3], [−1, −2, −4]]); (y * arange(12).reshape(3, 4)).sum().backward()
  it('scatterAdd: repeated positions add up; gradients to the input and to the source', () => {
    const t = x(), src = leaf([[1, 2, 3], [-1, -2, -4]]);
    const y = t.scatterAdd(1, tensor([[0, 0, 3], [1, 2, 2]]), src);
    y.mul(w12).sum().backward();
    expect(y.toArray()).toEqual([[3.5, -1.0, 2.0, 6.5], [1.5, -0.75, -8.0, 4.0], [-0.75, 1.0, 0.0, 2.5]]);
    expect(t.grad!.toArray()).toEqual(w12.toArray());
    expect(src.grad!.toArray()).toEqual([[0, 0, 3], [5, 6, 6]]);
  });
  it('a source larger than the index: only its leading box is used, and only it gets a gradient', () => {
    // (PyTorch 1.13 computes this value but its backward fails on the shape; the gradient is checked by gradcheck.)
    const src = leaf([[1, 2, 9], [9, 9, 9]]);
    const y = zeros([2]).scatterAdd(0, [1, 1], src.select(0, 0));
    expect(flat(y)).toEqual([0, 3]);
    const z = zeros([2, 2]).scatterAdd(1, tensor([[1, 1]]), src);
    expect(z.toArray()).toEqual([[0, 3], [0, 0]]);
    z.sum().backward();
    expect(src.grad!.toArray()).toEqual([[1, 1, 0], [0, 0, 0]]);
  });
  it('bad indices throw naming the op, the axis and the value', () => {
    const t = x();
    expect(() => t.gather(1, tensor([[0], [4], [1]]))).toThrow(/^gather: index 4 at position 1 is out of range for axis 1 of size 4$/);
    expect(() => t.gather(0, tensor([[0, 1.5]]))).toThrow(/^gather: index 1.5 at position 1 is not an integer \(axis 0\)$/);
    expect(() => t.gather(1, tensor([[-1]]))).toThrow(/^gather: index -1 at position 0 is out of range for axis 1 of size 4/);
    expect(() => t.gather(1, tensor([0, 1]))).toThrow(/^gather: index of shape \[2\] does not fit the tensor of shape \[3, 4\] along axis 1/);
    expect(() => t.gather(1, tensor([[0], [1], [1], [1]]))).toThrow(/^gather: index of shape \[4, 1\] does not fit/);
    expect(() => t.gather(2, tensor([[0]]))).toThrow(/^gather: axis 2 is out of range for shape \[3, 4\]/);
    expect(() => t.indexSelect(0, [0, 3])).toThrow(/^indexSelect: index 3 at position 1 is out of range for axis 0 of size 3$/);
    expect(() => t.indexSelect(1, [NaN])).toThrow(/^indexSelect: index NaN at position 0 is not an integer \(axis 1\)/);
    expect(() => t.indexSelect(1, ['1'] as unknown as number[])).toThrow(/^indexSelect: index 1 at position 0 is not an integer/);
    expect(() => t.gather(1, [[0], [1], [2]] as unknown as number[])).toThrow(/^gather: a nested index array must be made a tensor/);
    expect(() => t.indexSelect(1, tensor([[0]]))).toThrow(/^indexSelect: the index must be 1-D \(or 0-d\), got shape \[1, 1\]/);
    expect(() => t.indexSelect(1, 2 as unknown as number[])).toThrow(/^indexSelect: the index must be a tensor of integers, an Int32Array or an array of numbers, got number 2/);
    expect(() => t.scatterAdd(1, tensor([[0, 1, 2]]), zeros([1, 2]))).toThrow(/^scatterAdd: index of shape \[1, 3\] is longer than the source of shape \[1, 2\]/);
  });
});

describe('dropout', () => {
  it('keeps an element where its uniform draw is below 1 − p, scaled by 1/(1 − p): the draws of the generator in order', () => {
    const x = arange(1, 9), p = 0.25;
    const y = dropout(x, p, { rng: new RandomState(3) });
    const u = new RandomState(3).random([8]);
    expect(flat(y)).toEqual(flat(x).map((v, i) => (u[i] < 1 - p ? v * (1 / (1 - p)) : 0)));
  });
  it('drops about p of a large tensor; p = 0 is the identity, p = 1 gives zeros', () => {
    const y = dropout(zeros([20000]).add(1), 0.3, { rng: new RandomState(4) });
    const kept = flat(y).filter((v) => v !== 0);
    expect(kept.length / 20000).toBeGreaterThan(0.68);
    expect(kept.length / 20000).toBeLessThan(0.72);
    expect(kept.every((v) => v === 1 / 0.7)).toBe(true);
    expect(flat(dropout(arange(3), 0, { rng: new RandomState(1) }))).toEqual([0, 1, 2]);
    expect(flat(dropout(arange(3), 1, { rng: new RandomState(1) }))).toEqual([0, 0, 0]);
    expect(() => dropout(arange(3), 1.5)).toThrow(/^dropout: p must be a probability in \[0, 1\], got number 1.5/);
  });
  it('the gradient goes through the kept elements, scaled', () => {
    const x = leaf([1, 2, 3, 4, 5, 6]);
    const y = dropout(x, 0.5, { rng: new RandomState(9) });
    y.sum().backward();
    expect(flat(x.grad!)).toEqual(flat(y).map((v) => (v === 0 ? 0 : 2)));
  });
});

describe('printing', () => {
  it('console.log (util.inspect) shows a tensor as its toString, not its fields', () => {
    const t = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(inspect(t)).toBe(t.toString());
    expect(inspect(t)).toBe('tensor([[1, 2],\n        [3, 4]], requiresGrad=true)');
    expect(inspect({ w: tensor([0.5]) })).toBe('{ w: tensor([0.5000]) }');
  });
});
