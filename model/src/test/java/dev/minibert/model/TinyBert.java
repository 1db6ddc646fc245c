package dev.minibert.model;

/** The tiny shapes every model test uses: fast, yet every axis (batch, heads, padding) is non-trivial. */
final class TinyBert {
    static final int BATCH = 2;
    static final int SEQ = 5;
    /** Row 0 is full, row 1 is padded after 3 tokens; ids repeat so embedding rows accumulate. */
    static final int[][] IDS = {{2, 7, 4, 7, 3}, {2, 5, 3, 0, 0}};
    static final int[][] TYPES = {{0, 0, 1, 1, 1}, {0, 1, 1, 0, 0}};
    static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};

    private TinyBert() {
    }

    static BertConfig config(BertConfig.NormStyle style) {
        return config(style, 2);
    }

    static BertConfig config(BertConfig.NormStyle style, int layers) {
        return BertConfig.builder()
                .vocabSize(11).hiddenSize(8).numHiddenLayers(layers).numAttentionHeads(2).intermediateSize(12)
                .maxPositionEmbeddings(8).typeVocabSize(2).layerNormEps(1e-12)
                .hiddenDropoutProb(0.1).attentionProbsDropoutProb(0.1)
                .normStyle(style).build();
    }

    /** Additive mask bias [B,T] for {@link #MASK}, as BertModel builds it. */
    static org.nd4j.linalg.api.ndarray.INDArray maskBias() {
        double[][] bias = new double[BATCH][SEQ];
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < SEQ; t++) {
                bias[b][t] = MASK[b][t] == 1 ? 0 : -10000;
            }
        }
        return org.nd4j.linalg.factory.Nd4j.createFromArray(bias);
    }
}
