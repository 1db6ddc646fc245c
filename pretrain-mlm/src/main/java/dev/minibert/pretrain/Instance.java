package dev.minibert.pretrain;

/**
 * One pretraining sequence {@code [CLS] A [SEP] (B [SEP])} before masking.
 *
 * @param wordStart    per token, whether it begins a word (false for {@code ##} pieces and for the later characters of
 *                     a Chinese word); specials are words of their own. Drives whole-word masking.
 * @param isRandomNext next-sentence label: B was drawn from another document (always false without B)
 */
public record Instance(int[] inputIds, int[] tokenTypeIds, boolean[] wordStart, boolean isRandomNext) {
    public Instance {
        if (tokenTypeIds.length != inputIds.length || wordStart.length != inputIds.length) {
            throw new IllegalArgumentException("instance arrays differ in length: ids " + inputIds.length
                + ", types " + tokenTypeIds.length + ", wordStart " + wordStart.length);
        }
    }

    public int length() {
        return inputIds.length;
    }
}
