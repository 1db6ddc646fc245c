package dev.minibert.pretrain;

/**
 * A masked, padded MLM batch.
 *
 * @param maskedRows   flattened positions {@code b * seqLen + t} of the predicted tokens, ascending
 * @param maskedLabels the original token ids at those positions
 */
public record Batch(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] maskedRows,
                    int[] maskedLabels, int seqLen) {
    public int batchSize() {
        return inputIds.length;
    }
}
