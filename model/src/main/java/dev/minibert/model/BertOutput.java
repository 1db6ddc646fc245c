package dev.minibert.model;

/** The feed-forward block's output: dense [I→H], dropout, residual, LayerNorm (post-norm). */
public final class BertOutput extends ResidualOutput {
    public BertOutput(ParameterStore store, String prefix, BertConfig config) {
        super(store, prefix, config.intermediateSize, config);
    }
}
