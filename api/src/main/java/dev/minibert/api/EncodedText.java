package dev.minibert.api;

/**
 * One text through the encoder: its token ids ([CLS] and [SEP] included, no padding), the last layer's hidden state
 * of each of those tokens, and the pooler's output (tanh of a dense layer over [CLS]), as {@code minibert embed}
 * writes them. Arrays are compared by identity: use {@link java.util.Arrays} to compare contents.
 *
 * @param inputIds the text's token ids
 * @param lastHiddenState [tokens][hidden] the last layer's output per token
 * @param poolerOutput [hidden] the pooler's output
 */
public record EncodedText(int[] inputIds, float[][] lastHiddenState, float[] poolerOutput) {
}
