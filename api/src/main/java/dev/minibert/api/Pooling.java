package dev.minibert.api;

/** How a text's token states become one vector. */
public enum Pooling {
    /** The last hidden state of [CLS], the first token (what bge and sentence-transformers' CLS models use). */
    CLS,
    /** The mean of the last hidden states of all the text's tokens, [CLS] and [SEP] included (padding excluded). */
    MEAN,
    /** The pooler's output: tanh of a dense layer over [CLS] (HF's {@code pooler_output}). */
    POOLER;

    /**
     * This pooling of one encoded text.
     *
     * @param text an encoder's output for one text
     * @return a new [hidden] vector
     */
    public float[] apply(EncodedText text) {
        return switch (this) {
            case CLS -> text.lastHiddenState()[0].clone();
            case POOLER -> text.poolerOutput().clone();
            case MEAN -> mean(text.lastHiddenState());
        };
    }

    private static float[] mean(float[][] rows) {
        double[] sum = new double[rows[0].length];
        for (float[] row : rows) {
            for (int k = 0; k < sum.length; k++) {
                sum[k] += row[k];
            }
        }
        float[] out = new float[sum.length];
        for (int k = 0; k < sum.length; k++) {
            out[k] = (float) (sum[k] / rows.length);
        }
        return out;
    }
}
