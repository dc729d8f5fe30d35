// The step-through of one training step's backward pass, one node at a time, with the engine's public API only:
// each node's op is its gradFn (.name), and what it sends to each input is the vector-Jacobian product that
// grad(node, inputs, { gradOutputs: g, retainGraph: true }) returns. It never writes a .grad and never changes a
// weight: grad() leaves .grad fields alone, and the update is the page's ordinary step, made only on Apply.
//
// The engine's list of a node's inputs and its walk order are not public, so the graph walked here is the one the
// page wrote (Pass.inputs, recorded in xor.ts), and the order is derived from it the way the engine documents its
// own: reverse topological, from a depth-first search over the inputs in order. Two public outputs check both:
// toDot's edges (each node's inputs, in order, and its op) and profile()'s rule spans of the engine's own walk
// (the order in which the op nodes' rules ran).
import { grad, noGrad, ones, profile, toDot, type Tensor } from 'tensorgrad-ts';
import type { Pass } from './xor.ts';

/** A node of the walk: a tensor that requires grad (an op's output, or a weight). */
export interface WalkNode {
  tensor: Tensor;
  name: string;
  /** Its id in toDot's text and in the drawn graph (the <title> of its box). */
  id: string;
  /** The op that made it (gradFn.name), or null for a leaf (a weight). */
  op: string | null;
  /** Its operands, as the page passed them (constants included). */
  inputs: readonly Tensor[];
}

/** What an input receives from the node: null where the input does not require grad (no rule runs for it). */
export interface Send { to: Tensor; name: string; id: string; grad: Tensor | null }

export interface WalkStep {
  node: WalkNode;
  /** ∂J/∂node: what its consumers sent it, summed (1 at the loss). */
  g: Tensor;
  sends: Send[];
}

/** toDot's text, read back: each id's name (the first line of the label), op line, and inputs in order. */
function readDot(dot: string): { names: Map<string, string>; ops: Map<string, string>; inputs: Map<string, string[]> } {
  const names = new Map<string, string>(), ops = new Map<string, string>(), inputs = new Map<string, string[]>();
  for (const line of dot.split('\n')) {
    const node = /^\s*(t\d+) \[label="(.*)"/.exec(line);
    if (node !== null) {
      const label = node[2].split('\\n');
      names.set(node[1], label[0].replace(/\\"/g, '"').replace(/\\\\/g, '\\'));
      ops.set(node[1], label[1]);
      continue;
    }
    const edge = /^\s*(t\d+) -> (t\d+);/.exec(line);
    if (edge !== null) inputs.set(edge[2], [...(inputs.get(edge[2]) ?? []), edge[1]]);
  }
  return { names, ops, inputs };
}

/** The tensors that require grad, from the loss down, in reverse topological order (consumers before inputs). */
function backwardOrder(root: Tensor, inputsOf: ReadonlyMap<Tensor, readonly Tensor[]>): Tensor[] {
  const order: Tensor[] = [], placed = new Set<Tensor>();
  const visit = (t: Tensor): void => { // post-order: every input before the tensor made from it
    placed.add(t);
    for (const x of inputsOf.get(t) ?? []) if (x.requiresGrad && !placed.has(x)) visit(x);
    order.push(t);
  };
  visit(root);
  return order.reverse();
}

export class BackwardWalk {
  readonly nodes: WalkNode[];
  /** The toDot id of each named tensor. */
  readonly ids = new Map<Tensor, string>();
  private readonly steps: WalkStep[] = [];
  private readonly pending = new Map<Tensor, Tensor>();

  constructor(readonly pass: Pass) {
    // Each named tensor's id in the engine's own graph text, and a check that the page's graph is the engine's.
    const dot = readDot(toDot(pass.loss, { names: pass.names }));
    const byName = new Map([...dot.names].map(([id, name]) => [name, id]));
    for (const [t, name] of pass.names) {
      const id = byName.get(name);
      if (id !== undefined) this.ids.set(t, id);
    }
    const problems: string[] = [];
    if (dot.names.size !== this.ids.size) problems.push(`the engine's graph has ${dot.names.size} tensors, the page named ${this.ids.size} of them`);
    for (const [t, ins] of pass.inputs) {
      const id = this.ids.get(t)!, name = pass.names.get(t)!;
      if (dot.ops.get(id) !== t.gradFn?.name) problems.push(`${name}: op '${dot.ops.get(id)}' in toDot, '${t.gradFn?.name}' on the tensor`);
      const want = ins.map((x) => this.ids.get(x)), got = dot.inputs.get(id) ?? [];
      if (want.join() !== got.join()) problems.push(`${name}: inputs ${got.join(', ')} in toDot, ${want.join(', ')} in the page`);
    }
    if (problems.length > 0) throw new Error(`the page's record of the graph differs from the engine's: ${problems.join('; ')}`);

    this.nodes = backwardOrder(pass.loss, pass.inputs).map((t) => ({
      tensor: t, name: pass.names.get(t)!, id: this.ids.get(t)!, op: t.gradFn?.name ?? null, inputs: pass.inputs.get(t) ?? [],
    }));
    this.pending.set(pass.loss, ones(pass.loss.shape)); // the seed: ∂J/∂J = 1
  }

  get count(): number { return this.nodes.length; }

  /** Step k of the walk (0: the loss), running the steps before it first if they have not run. */
  at(k: number): WalkStep {
    while (this.steps.length <= k) this.steps.push(this.run(this.nodes[this.steps.length]));
    return this.steps[k];
  }

  /** One node: take what its consumers sent, then the vector-Jacobian product to each input that requires grad. */
  private run(node: WalkNode): WalkStep {
    const g = this.pending.get(node.tensor);
    if (g === undefined) throw new Error(`step-through: nothing reached ${node.name} (the order is wrong)`);
    const wanted = node.inputs.filter((x) => x.requiresGrad);
    const vjps = wanted.length === 0 ? [] : grad(node.tensor, wanted, { gradOutputs: g, retainGraph: true });
    const sends = node.inputs.map((x): Send => {
      const k = wanted.indexOf(x);
      return { to: x, name: this.pass.names.get(x)!, id: this.ids.get(x)!, grad: k < 0 ? null : vjps[k] };
    });
    for (const s of sends) {
      if (s.grad === null) continue;
      const before = this.pending.get(s.to); // a tensor used twice sums what it receives
      this.pending.set(s.to, before === undefined ? s.grad : noGrad(() => before.add(s.grad!)));
    }
    return { node, g, sends };
  }

  /**
   * Whether the engine's own walk ran the op nodes' rules in this order: profile() of a grad() from the loss
   * records one rule span (∂op, with the node's shape) per input that gets a gradient, in the order they ran.
   */
  checkOrderWithProfiler(): { ok: boolean; engine: string[]; page: string[] } {
    const { syn0, syn1, loss } = this.pass;
    const events = profile(() => grad(loss, [syn0, syn1], { retainGraph: true })).events;
    const engine = events.filter((e) => e.kind === 'rule').map((e) => `${e.name} [${e.shape.join(', ')}]`);
    const page = this.nodes.flatMap((n) => n.inputs.filter((x) => x.requiresGrad).map(() => `∂${n.op} [${n.tensor.shape.join(', ')}]`));
    return { ok: engine.join('\n') === page.join('\n'), engine, page };
  }
}
