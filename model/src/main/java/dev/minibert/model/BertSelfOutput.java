package dev.minibert.model;

/** The attention block's output: dense [H→H], dropout, residual, LayerNorm (post-norm). */
public final class BertSelfOutput extends ResidualOutput {
    public BertSelfOutput(ParameterStore store, String prefix, BertConfig config) {
        super(store, prefix, config.hiddenSize, config);
    }
}
