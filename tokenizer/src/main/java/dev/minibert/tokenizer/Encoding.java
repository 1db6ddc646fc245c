package dev.minibert.tokenizer;

import java.util.List;

/**
 * One encoded input, as HF's {@code BatchEncoding} for one row: {@code [CLS] a [SEP] (b [SEP]) [PAD]...}.
 * {@code offsets[i]} is the {@code [start, end)} UTF-16 span of token i in its own text (a or b);
 * special and padding tokens have {@code [0, 0]}.
 */
public record Encoding(List<String> tokens, int[] inputIds, int[] tokenTypeIds, int[] attentionMask,
                       int[] specialTokensMask, int[][] offsets) {
    public int length() {
        return inputIds.length;
    }
}
