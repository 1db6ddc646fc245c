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
    private final int hidden;
    private final double scale;
    private int batch;
    private int seqLen;
    // kept for backward
    private INDArray q;      // [B,heads,T,d]
    private INDArray k;
    private INDArray v;
    private INDArray probs;  // [B,heads,T,T], softmax output
    private INDArray dropped; // probs after dropout (probs itself when dropout is off)
    // work buffers
    private INDArray contextHeads;
    private INDArray context;
    private INDArray headGrad;
    private INDArray droppedGrad;
    private INDArray scoreGrad;
    private INDArray qGrad;
    private INDArray kGrad;
    private INDArray vGrad;
    private INDArray merged;
    private INDArray inputGrad;

    public BertSelfAttention(ParameterStore store, String prefix, BertConfig config) {
        this.hidden = config.hiddenSize;
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
        batch = (int) maskBias.size(0);
        seqLen = (int) maskBias.size(1);
        if (x.rows() != (long) batch * seqLen) {
            throw new IllegalArgumentException("attention input has " + x.rows() + " rows, mask is "
                    + batch + "x" + seqLen);
        }
        DataType type = x.dataType();
        q = splitHeads(query.forward(x), q);
        k = splitHeads(key.forward(x), k);
        v = splitHeads(value.forward(x), v);

        probs = Scratch.reuse(probs, type, batch, heads, seqLen, seqLen);
        Nd4j.matmul(q, k, probs, false, true, false);
        probs.muli(scale);
        probs.addi(maskBias.reshape(batch, 1, 1, seqLen));
        Nd4j.exec(new SoftMax(probs, probs, -1));
        dropped = dropout.forward(probs, training);

        contextHeads = Scratch.reuse(contextHeads, type, batch, heads, seqLen, headSize);
        Nd4j.matmul(dropped, v, contextHeads, false, false, false);
        context = mergeHeads(contextHeads, context);
        return context;
    }

    /** dContext: [N,H] → dx [N,H]; adds into the query/key/value gradients. */
    public INDArray backward(INDArray dContext) {
        DataType type = dContext.dataType();
        headGrad = splitHeads(dContext, headGrad);
        droppedGrad = Scratch.reuse(droppedGrad, type, batch, heads, seqLen, seqLen);
        Nd4j.matmul(headGrad, v, droppedGrad, false, true, false);
        vGrad = Scratch.reuse(vGrad, type, batch, heads, seqLen, headSize);
        Nd4j.matmul(dropped, headGrad, vGrad, true, false, false);

        // softmax backward: dS = P ⊙ (dP - Σ_j dP·P), then the 1/sqrt(d) scale
        INDArray probsGrad = dropout.backward(droppedGrad);
        scoreGrad = Scratch.reuse(scoreGrad, type, batch, heads, seqLen, seqLen);
        INDArray rowDot = probsGrad.mul(probs, scoreGrad).sum(true, 3);
        probsGrad.sub(rowDot, scoreGrad).muli(probs).muli(scale);

        qGrad = Scratch.reuse(qGrad, type, batch, heads, seqLen, headSize);
        Nd4j.matmul(scoreGrad, k, qGrad, false, false, false);
        kGrad = Scratch.reuse(kGrad, type, batch, heads, seqLen, headSize);
        Nd4j.matmul(scoreGrad, q, kGrad, true, false, false);

        merged = mergeHeads(qGrad, merged);
        inputGrad = Scratch.reuse(inputGrad, type, dContext.shape());
        inputGrad.assign(query.backward(merged));
        merged = mergeHeads(kGrad, merged);
        inputGrad.addi(key.backward(merged));
        merged = mergeHeads(vGrad, merged);
        inputGrad.addi(value.backward(merged));
        return inputGrad;
    }

    /** [N,H] → [B,heads,T,d] (copied into a contiguous buffer). */
    private INDArray splitHeads(INDArray y, INDArray into) {
        INDArray out = Scratch.reuse(into, y.dataType(), batch, heads, seqLen, headSize);
        return out.assign(y.reshape('c', batch, seqLen, heads, headSize).permute(0, 2, 1, 3));
    }

    /** [B,heads,T,d] → [N,H]. */
    private INDArray mergeHeads(INDArray h, INDArray into) {
        INDArray out = Scratch.reuse(into, h.dataType(), (long) batch * seqLen, hidden);
        out.reshape('c', batch, seqLen, heads, headSize).assign(h.permute(0, 2, 1, 3));
        return out;
    }

    void reseedDropout(SplittableRandom seeds) {
        dropout.reseed(seeds.nextLong());
    }
}
