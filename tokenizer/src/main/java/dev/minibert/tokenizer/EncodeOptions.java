package dev.minibert.tokenizer;

/**
 * How {@link BertTokenizer#encode(String, String, EncodeOptions)} fits a sequence to a length, as HF's
 * {@code truncation}/{@code padding} arguments. {@code maxLength} counts the special tokens; without it
 * there is nothing to truncate to.
 */
public record EncodeOptions(Integer maxLength, Truncation truncation, Padding padding) {
    /** No truncation, no padding. */
    public static final EncodeOptions NONE = new EncodeOptions(null, Truncation.NONE, Padding.NONE);

    public enum Truncation {
        /** Shorten the longer sequence first, as HF's {@code longest_first}. */
        LONGEST_FIRST,
        /** Shorten only text a; an error if that cannot reach the length. */
        ONLY_FIRST,
        /** Shorten only text b; an error if that cannot reach the length or there is no b. */
        ONLY_SECOND,
        NONE
    }

    public enum Padding {
        NONE,
        /** Pad to {@code maxLength}. */
        MAX_LENGTH,
        /** Pad to the longest encoding of the batch. */
        LONGEST
    }

    public EncodeOptions {
        if (truncation == null || padding == null) {
            throw new IllegalArgumentException("truncation and padding must not be null (use NONE)");
        }
        if (maxLength != null && maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        if (maxLength == null && padding == Padding.MAX_LENGTH) {
            throw new IllegalArgumentException("padding MAX_LENGTH needs a maxLength");
        }
    }
}
