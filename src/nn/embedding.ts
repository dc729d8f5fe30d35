// An embedding table as a module: the weight, drawn from N(0, 1) as PyTorch's, and the lookup.
import { embedding, Tensor, type RandomState } from '../autograd/index.ts';
import { optionsOf, rngOf } from '../autograd/options.ts';
import { show } from '../tensor/shape.ts';
import { Module, parameter } from './module.ts';

/** Options of {@link Embedding}. */
export interface EmbeddingModuleOptions {
  /** A row that gets no gradient and starts at zeros (a padding token's); negative counts from the end. */
  paddingIdx?: number | null;
  /** Generator for the initial weight; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/**
 * A table of `numEmbeddings` vectors of `embeddingDim` values, looked up by integer indices of any shape
 * ({@link embedding}): indices of shape [...s] give [...s, embeddingDim]. The weight starts with N(0, 1) draws from
 * `opts.rng` (NumPy's `randn`), its `paddingIdx` row zeroed, and that row gets no gradient.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0, rng: new RandomState(0) });
 * emb.call(tensor([[0, 4], [4, 9]])).shape // [2, 2, 3]
 * emb.weight.toArray()[0] // [0, 0, 0]
 * emb.toString() // 'Embedding(10, 3, paddingIdx=0)'
 * ```
 */
export class Embedding extends Module {
  /** The table, [numEmbeddings, embeddingDim]: a parameter. */
  readonly weight: Tensor;
  /** The row that gets no gradient (from 0), or null. */
  readonly paddingIdx: number | null;

  /**
   * A table of `numEmbeddings` rows of `embeddingDim` values.
   *
   * @param numEmbeddings The number of rows (indices run from 0 to numEmbeddings − 1).
   * @param embeddingDim The size of each row.
   */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts?: EmbeddingModuleOptions) {
    super();
    if (!Number.isInteger(numEmbeddings) || !Number.isInteger(embeddingDim) || numEmbeddings < 1 || embeddingDim < 1) {
      throw new Error(`Embedding: numEmbeddings and embeddingDim must be positive integers, got ${show(numEmbeddings)} and ${show(embeddingDim)}`);
    }
    const o = optionsOf('Embedding', opts), p = o.paddingIdx, rng = rngOf('Embedding', o.rng);
    if (p != null && !(Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx ${show(p)} is out of range for ${numEmbeddings} embeddings`);
    }
    this.paddingIdx = p == null ? null : p < 0 ? p + numEmbeddings : p;
    const w = rng.randn([numEmbeddings, embeddingDim]);
    if (this.paddingIdx !== null) w.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = parameter(Tensor.from(w, [numEmbeddings, embeddingDim]));
  }

  /** The rows of the weight at `indices` (a tensor of integer values). */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
