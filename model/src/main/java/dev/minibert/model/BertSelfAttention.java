package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head scaled dot-product self-attention (HF's BertSelfAttention), batched over batch and heads:
 * <pre>
 *   [Q K V] = x Wqkvᵀ + bqkv                     [N,3H], viewed per head as [B,A,T,d] each
 *   scores  = Q Kᵀ / √d + maskBias               [B,A,T,T]
 *   probs   = softmax(scores) over the keys
 *   context = Drop(probs) V                      [B,A,T,d], i.e. [N,H]
 * </pre>
 */
public final class BertSelfAttention {
    private final Linear projection; // query, key and value stacked: [N,H] → [N,3H], one gemm
    private final Dropout dropout;
    private final Kernels kernels;
    private final int hidden;
    private final int heads;
    private final int headSize;
    private final double scale;
    // the arrays it writes (its projection's and dropout's besides)
    private final Slot probsSlot = Slot.forward("attention.self.probs", "B,A,T,T");
    private final Slot contextSlot = Slot.forward("attention.self.context", "N,H");
    private final Slot droppedGradSlot = Slot.backward("attention.self.dDropped", "B,A,T,T");
    private final Slot projectedGradSlot = Slot.backward("attention.self.dQKV", "N,3H");
    private Kept kept;
    private HeadViews views;
    // forwardSelected's own arrays, [B·Q,H] in the padded layout but for the compact context [M,H]
    private INDArray queries;
    private INDArray selectedContext;
    private INDArray paddedContextGrad;
    private INDArray queriesGrad;

    /**
     * What backward reads: the per-head views at the forward's B and T; q, k, v [B,A,T,d], views of the
     * projection's output [N,3H]; probs [B,A,T,T], the softmax; dropped, probs after dropout (probs itself without).
     * After {@link #forwardSelected} (selected not null) q, probs and dropped have the padded layout's Q query rows
     * per sequence for T (queryLayout; layout itself after a whole forward).
     */
    private record Kept(AttentionHeads layout, AttentionHeads queryLayout, SelectedTokens selected, INDArray q,
                        INDArray k, INDArray v, INDArray probs, INDArray dropped) {
    }

    /**
     * The forward's per-head views of the projection's output [N,3H] and of the context [N,H]. Each view costs ND4J a
     * native shape buffer (and JavaCPP a read of /proc/self/statm), ~4 µs, which at batch 1 was 5% of a forward; so
     * they are made again only when an array or the shape is new.
     */
    private record HeadViews(AttentionHeads layout, INDArray projected, INDArray context, INDArray q, INDArray k,
                             INDArray v, INDArray contextHeads) {
        static HeadViews of(HeadViews last, AttentionHeads layout, INDArray projected, INDArray context, int hidden) {
            if (last != null && last.layout.equals(layout) && last.projected == projected && last.context == context) {
                return last;
            }
            return new HeadViews(layout, projected, context, layout.of(projected, 0), layout.of(projected, hidden),
                    layout.of(projected, 2L * hidden), layout.of(context, 0));
        }
    }

    public BertSelfAttention(ParameterStore store, String prefix, BertConfig config) {
        this.hidden = config.hiddenSize;
        this.heads = config.numAttentionHeads;
        this.headSize = config.headSize();
        this.scale = 1 / Math.sqrt(headSize);
        this.projection = Linear.stacked(store, hidden, hidden, prefix + "query", prefix + "key", prefix + "value");
        this.kernels = store.kernels();
        this.dropout = new Dropout(config.attentionProbsDropoutProb, kernels, "B,A,T,T");
    }

    /** The arrays it, its projection and its dropout write. */
    List<Slot> slots() {
        return Slot.all(projection.slots(), List.of(probsSlot), dropout.slots(),
                List.of(contextSlot, droppedGradSlot, projectedGradSlot));
    }

    /**
     * x: [N,H] with N = B·T; maskBias: [B,T] additive (0 for real keys, -10000 for padding).
     * Returns the context [N,H].
     */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training) {
        int batch = (int) maskBias.size(0);
        int seqLen = (int) maskBias.size(1);
        if (x.rows() != (long) batch * seqLen) {
            throw new IllegalArgumentException("attention input has " + x.rows() + " rows, mask is "
                    + batch + "x" + seqLen);
        }
        DataType type = x.dataType();
        INDArray projected = projection.forward(x); // [N,3H]
        INDArray context = contextSlot.array(type, x.rows(), hidden);
        views = HeadViews.of(views, new AttentionHeads(batch, seqLen, heads, headSize), projected, context, hidden);

        INDArray probs = probsSlot.array(type, batch, heads, seqLen, seqLen);
        AttentionProduct.SCORES.compute(views.q(), views.k(), probs);
        kernels.attentionSoftmax(probs, maskBias, scale); // probs = softmax(scores·scale + maskBias), in place
        INDArray dropped = dropout.forward(probs, training);

        AttentionProduct.CONTEXT.compute(dropped, views.v(), views.contextHeads());
        kept = new Kept(views.layout(), views.layout(), null, views.q(), views.k(), views.v(), probs, dropped);
        return context;
    }

    /**
     * The context of the selected tokens alone, [M,H] in their order: their queries against every token's key and
     * value; {@link #backward} then takes dContext [M,H]. Under noGrad each row has the bits of {@link #forward}'s row
     * where the products are batch-invariant ({@link Gemm#isBatchInvariant()}: a row's bits do not depend on the
     * rows beside it).
     */
    INDArray forwardSelected(INDArray x, INDArray maskBias, SelectedTokens selected, boolean training) {
        DataType type = x.dataType();
        INDArray projected = projection.forward(x); // every token's key and value; the queries come in the same product
        AttentionHeads layout = new AttentionHeads(selected.batch(), selected.seqLen(), heads, headSize);
        AttentionHeads queryLayout = new AttentionHeads(selected.batch(), selected.perSequence(), heads, headSize);
        long paddedRows = (long) selected.batch() * selected.perSequence();
        queries = Scratch.reuse(queries, type, paddedRows, hidden);
        selected.gatherQueries(projected, queries);
        INDArray q = queryLayout.of(queries, 0);
        INDArray k = layout.of(projected, hidden);
        INDArray v = layout.of(projected, 2L * hidden);
        INDArray probs = probsSlot.array(type, selected.batch(), heads, selected.perSequence(), selected.seqLen());
        AttentionProduct.SCORES.compute(q, k, probs);
        kernels.attentionSoftmax(probs, maskBias, scale);
        INDArray dropped = dropout.forward(probs, training);
        INDArray context = contextSlot.array(type, paddedRows, hidden);
        AttentionProduct.CONTEXT.compute(dropped, v, queryLayout.of(context, 0));
        kept = new Kept(layout, queryLayout, selected, q, k, v, probs, dropped);
        if (!selected.padded()) {
            return context;
        }
        selectedContext = Scratch.reuse(selectedContext, type, selected.count(), hidden);
        selected.compact(context, selectedContext);
        return selectedContext;
    }

    /**
     * dContext: [N,H] (after {@link #forwardSelected}: [M,H]) → dx [N,H]; adds into the query/key/value gradients.
     * Each line inverts one of the forward's:
     * <pre>
     *   dDropped = dContext Vᵀ,  dV = Droppedᵀ dContext          (context = Dropped V)
     *   dProbs   = Drop'(dDropped)
     *   dScores  = probs ⊙ (dProbs − Σ_keys dProbs·probs) / √d   (softmax, then the scale)
     *   dQ = dScores K,  dK = dScoresᵀ Q                         (scores = Q Kᵀ)
     *   dx = [dQ dK dV] Wqkv                                     (the projection)
     * </pre>
     */
    public INDArray backward(INDArray dContext) {
        DataType type = dContext.dataType();
        AttentionHeads layout = kept.layout();
        SelectedTokens selected = kept.selected();
        INDArray queryRowsGrad = FlatView.plain(dContext);
        if (selected != null && selected.padded()) {
            paddedContextGrad = Scratch.reuse(paddedContextGrad, type, queries.shape());
            selected.pad(queryRowsGrad, paddedContextGrad);
            queryRowsGrad = paddedContextGrad;
        }
        INDArray headGrad = kept.queryLayout().of(queryRowsGrad, 0);
        INDArray droppedGrad = droppedGradSlot.array(type, kept.probs().shape());
        AttentionProduct.PROBS_GRAD.compute(headGrad, kept.v(), droppedGrad);
        INDArray projectedGrad = projectedGradSlot.array(type, (long) layout.batch() * layout.seqLen(), 3L * hidden);
        AttentionProduct.VALUE_GRAD.compute(kept.dropped(), headGrad, layout.of(projectedGrad, 2L * hidden));

        INDArray probsGrad = dropout.backward(droppedGrad);
        // in place: the dropout's (or this layer's) gradient buffer is not read again
        INDArray dScores = kernels.attentionSoftmaxBackward(probsGrad, kept.probs(), scale);

        if (selected == null) {
            AttentionProduct.QUERY_GRAD.compute(dScores, kept.k(), layout.of(projectedGrad, 0));
        } else {
            queriesGrad = Scratch.reuse(queriesGrad, type, queries.shape());
            AttentionProduct.QUERY_GRAD.compute(dScores, kept.k(), kept.queryLayout().of(queriesGrad, 0));
            selected.scatterQueryGrads(queriesGrad, projectedGrad);
        }
        AttentionProduct.KEY_GRAD.compute(dScores, kept.q(), layout.of(projectedGrad, hidden));
        return projection.backward(projectedGrad);
    }

    void reseedDropout(SplittableRandom seeds) {
        dropout.reseed(seeds.nextLong());
    }
}
