package dev.minibert.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer block.
 * Post-norm (BERT): x = LN1(x + Drop(Attn(x))); x = LN2(x + Drop(FFN(x))).
 * Pre-norm: x = x + Drop(Attn(LN1(x))); x = x + Drop(FFN(LN2(x))).
 * LN1 is {@code attention.output.LayerNorm}, LN2 is {@code output.LayerNorm} in both styles.
 */
public final class BertLayer {
    private final BertSelfAttention attention;
    private final BertSelfOutput attentionOutput;
    private final BertIntermediate intermediate;
    private final BertOutput output;
    private final boolean preNorm;

    /** prefix: e.g. "bert.encoder.layer.3.". */
    public BertLayer(ParameterStore store, String prefix, BertConfig config) {
        this.attention = new BertSelfAttention(store, prefix + "attention.self.", config);
        this.attentionOutput = new BertSelfOutput(store, prefix + "attention.output.", config);
        this.intermediate = new BertIntermediate(store, prefix + "intermediate.", config);
        this.output = new BertOutput(store, prefix + "output.", config);
        this.preNorm = config.normStyle == BertConfig.NormStyle.PRE;
    }

    /** x: [N,H], maskBias: [B,T] → [N,H]. */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training) {
        INDArray attnIn = preNorm ? attentionOutput.layerNorm().forward(x) : x;
        INDArray h = attentionOutput.forward(attention.forward(attnIn, maskBias, training), x, training);
        INDArray ffnIn = preNorm ? output.layerNorm().forward(h) : h;
        return output.forward(intermediate.forward(ffnIn), h, training);
    }

    /** dy: [N,H] → dx [N,H]. */
    public INDArray backward(INDArray dy) {
        ResidualOutput.Grads ffn = output.backward(dy);
        INDArray dFfnIn = intermediate.backward(ffn.hidden());
        INDArray dh = (preNorm ? output.layerNorm().backward(dFfnIn) : dFfnIn).addi(ffn.residual());
        ResidualOutput.Grads attn = attentionOutput.backward(dh);
        INDArray dAttnIn = attention.backward(attn.hidden());
        return (preNorm ? attentionOutput.layerNorm().backward(dAttnIn) : dAttnIn).addi(attn.residual());
    }

    void reseedDropout(SplittableRandom seeds) {
        attention.reseedDropout(seeds);
        attentionOutput.reseedDropout(seeds);
        output.reseedDropout(seeds);
    }
}
