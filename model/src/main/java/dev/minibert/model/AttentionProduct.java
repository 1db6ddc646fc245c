package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention's matrix products per batch and head, each named by its formula: operands are [B,A,rows,cols]
 * views ({@link AttentionHeads}), the result overwritten. They run on {@link Gemm#batched}, one head's product per
 * thread at a time.
 */
enum AttentionProduct {
    /** scores [B,A,T,T] = Q Kᵀ, Q and K [B,A,T,d]. */
    SCORES(false, true),
    /** context [B,A,T,d] = P V, P [B,A,T,T] the (dropped) probabilities. */
    CONTEXT(false, false),
    /** dP [B,A,T,T] = dContext Vᵀ, inverting context = P V. */
    PROBS_GRAD(false, true),
    /** dV [B,A,T,d] = Pᵀ dContext, inverting context = P V. */
    VALUE_GRAD(true, false),
    /** dQ [B,A,T,d] = dScores K, inverting scores = Q Kᵀ. */
    QUERY_GRAD(false, false),
    /** dK [B,A,T,d] = dScoresᵀ Q, inverting scores = Q Kᵀ. */
    KEY_GRAD(true, false);

    private final boolean transposeLeft;
    private final boolean transposeRight;

    AttentionProduct(boolean transposeLeft, boolean transposeRight) {
        this.transposeLeft = transposeLeft;
        this.transposeRight = transposeRight;
    }

    /** out = left·right, each transposed as the formula says; e.g. SCORES.compute(Q, K, scores). */
    void compute(INDArray left, INDArray right, INDArray out) {
        Gemm.batched(left, right, out, transposeLeft, transposeRight);
    }
}
