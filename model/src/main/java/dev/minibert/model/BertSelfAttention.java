package dev.minibert.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;

/**
 * Multi-head scaled dot-product self-attention, batched over batch and heads:
 * context = Drop(softmax(Q K^T / sqrt(d) + maskBias)) V, with Q, K, V as [B,heads,T,d].
 */
public final class BertSelfAttention {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Dropout dropout;
    private final int heads;
    private final int headSize;
    private final double scale;
    private AttentionHeads layout; // [N,H] ↔ [B,heads,T,d] at the last forward's B and T
    // kept for backward
    private INDArray q;      // [B,heads,T,d]
    private INDArray k;
    private INDArray v;
    private INDArray probs;  // [B,heads,T,T], softmax output
    private INDArray dropped; // probs after dropout (probs itself when dropout is off)
    // work buffers
    private INDArray projected;
    private INDArray contextHeads;
    private INDArray context;
    private INDArray headGrad;
    private INDArray droppedGrad;
    private INDArray scoreGrad; // the ND4J path's; the vector kernel works in place
    private INDArray qGrad;
    private INDArray kGrad;
    private INDArray vGrad;
    private INDArray merged;
    private INDArray inputGrad;

    public BertSelfAttention(ParameterStore store, String prefix, BertConfig config) {
        int hidden = config.hiddenSize;
        this.heads = config.numAttentionHeads;
        this.headSize = config.headSize();
        this.scale = 1 / Math.sqrt(headSize);
        this.query = new Linear(store, prefix + "query", hidden, hidden);
        this.key = new Linear(store, prefix + "key", hidden, hidden);
        this.value = new Linear(store, prefix + "value", hidden, hidden);
        this.dropout = new Dropout(config.attentionProbsDropoutProb);
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
        layout = new AttentionHeads(batch, seqLen, heads, headSize);
        // one [N,H] buffer for the three projections, each copied into its heads at once: two fewer per layer
        projected = Scratch.reuse(projected, type, x.rows(), x.columns());
        q = layout.split(query.forward(x, projected), q);
        k = layout.split(key.forward(x, projected), k);
        v = layout.split(value.forward(x, projected), v);

        probs = Scratch.reuse(probs, type, batch, heads, seqLen, seqLen);
        Gemm.batched(q, k, probs, false, true);
        if (VectorSupport.serves(probs, maskBias)) {
            VectorKernels.attentionSoftmax(probs, FlatView.plain(maskBias), (float) scale);
        } else {
            probs.muli(scale);
            probs.addi(maskBias.reshape(batch, 1, 1, seqLen));
            Nd4j.exec(new SoftMax(probs, probs, -1));
        }
        dropped = dropout.forward(probs, training);

        contextHeads = Scratch.reuse(contextHeads, type, batch, heads, seqLen, headSize);
        Gemm.batched(dropped, v, contextHeads, false, false);
        context = layout.merge(contextHeads, context);
        return context;
    }

    /** dContext: [N,H] → dx [N,H]; adds into the query/key/value gradients. */
    public INDArray backward(INDArray dContext) {
        DataType type = dContext.dataType();
        headGrad = layout.split(dContext, headGrad);
        droppedGrad = Scratch.reuse(droppedGrad, type, probs.shape());
        Gemm.batched(headGrad, v, droppedGrad, false, true);
        vGrad = Scratch.reuse(vGrad, type, v.shape());
        Gemm.batched(dropped, headGrad, vGrad, true, false);

        // softmax backward: dS = P ⊙ (dP - Σ_j dP·P), then the 1/sqrt(d) scale
        INDArray probsGrad = dropout.backward(droppedGrad);
        INDArray dScores;
        if (VectorSupport.serves(probsGrad, probs)) {
            VectorKernels.attentionSoftmaxBackward(probsGrad, probs, (float) scale);
            dScores = probsGrad; // in place: the dropout's (or this layer's) gradient buffer is not read again
        } else {
            scoreGrad = Scratch.reuse(scoreGrad, type, probs.shape());
            INDArray rowDot = probsGrad.mul(probs, scoreGrad).sum(true, 3);
            dScores = probsGrad.sub(rowDot, scoreGrad).muli(probs).muli(scale);
        }

        qGrad = Scratch.reuse(qGrad, type, q.shape());
        Gemm.batched(dScores, k, qGrad, false, false);
        kGrad = Scratch.reuse(kGrad, type, k.shape());
        Gemm.batched(dScores, q, kGrad, true, false);

        merged = layout.merge(qGrad, merged);
        inputGrad = Scratch.reuse(inputGrad, type, dContext.shape());
        inputGrad.assign(query.backward(merged));
        merged = layout.merge(kGrad, merged);
        inputGrad.addi(key.backward(merged));
        merged = layout.merge(vGrad, merged);
        inputGrad.addi(value.backward(merged));
        return inputGrad;
    }

    void reseedDropout(SplittableRandom seeds) {
        dropout.reseed(seeds.nextLong());
    }
}
