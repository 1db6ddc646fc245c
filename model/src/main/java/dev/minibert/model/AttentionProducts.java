package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention's matrix products per batch and head, each named by its formula: operands are [B,A,rows,cols]
 * views ({@link AttentionHeads}), the results overwritten. They run on {@link Gemm#batched}, one head's product per
 * thread at a time.
 */
final class AttentionProducts {
    private AttentionProducts() {
    }

    /** scores [B,A,T,T] = Q Kᵀ, Q and K [B,A,T,d]. */
    static void scores(INDArray q, INDArray k, INDArray scores) {
        Gemm.batched(q, k, scores, false, true);
    }

    /** context [B,A,T,d] = P V, P [B,A,T,T] (the dropped probabilities). */
    static void context(INDArray p, INDArray v, INDArray context) {
        Gemm.batched(p, v, context, false, false);
    }

    /** dP [B,A,T,T] = dContext Vᵀ, inverting context = P V. */
    static void probsGrad(INDArray dContext, INDArray v, INDArray dP) {
        Gemm.batched(dContext, v, dP, false, true);
    }

    /** dV [B,A,T,d] = Pᵀ dContext, inverting context = P V. */
    static void valueGrad(INDArray p, INDArray dContext, INDArray dV) {
        Gemm.batched(p, dContext, dV, true, false);
    }

    /** dQ [B,A,T,d] = dScores K, inverting scores = Q Kᵀ. */
    static void queryGrad(INDArray dScores, INDArray k, INDArray dQ) {
        Gemm.batched(dScores, k, dQ, false, false);
    }

    /** dK [B,A,T,d] = dScoresᵀ Q, inverting scores = Q Kᵀ. */
    static void keyGrad(INDArray dScores, INDArray q, INDArray dK) {
        Gemm.batched(dScores, q, dK, true, false);
    }
}
