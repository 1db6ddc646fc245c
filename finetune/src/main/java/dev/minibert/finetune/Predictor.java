package dev.minibert.finetune;

import dev.minibert.model.BertModel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Batched inference of a {@link BertForSequenceClassification}: class probabilities per example. */
public final class Predictor {
    /**
     * The network under the predictor: one padded batch [B,T] in, logits [B,numLabels] out. The model's own forward
     * pass, or another runtime running its exported graph (the serve benchmark's ONNX Runtime).
     */
    @FunctionalInterface
    public interface Logits {
        INDArray logits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask);
    }

    private final Logits network;
    private final int batchSize;

    public Predictor(BertForSequenceClassification model, int batchSize) {
        this((ids, types, mask) -> {
            try (BertModel.NoGrad noGrad = model.bert().noGrad()) {
                return model.predictLogits(ids, types, mask);
            }
        }, batchSize);
    }

    public Predictor(Logits network, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.network = network;
        this.batchSize = batchSize;
    }

    /**
     * [N][numLabels] softmax probabilities, in the examples' order. Batches are formed in order of length, so each
     * pads to little more than its own rows (padded keys are masked out, so an example's result does not depend on
     * its batch).
     */
    public double[][] probabilities(EncodedExamples data) {
        int[] lengths = data.lengths();
        int[] byLength = IntStream.range(0, data.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> lengths[i])).mapToInt(Integer::intValue).toArray();
        double[][] out = new double[data.size()][];
        for (int from = 0; from < data.size(); from += batchSize) {
            int[] rows = Arrays.copyOfRange(byLength, from, Math.min(data.size(), from + batchSize));
            EncodedExamples.Batch b = data.batch(rows);
            INDArray logits = network.logits(b.inputIds(), b.tokenTypeIds(), b.attentionMask());
            for (int r = 0; r < rows.length; r++) {
                out[rows[r]] = softmax(logits.getRow(r).toDoubleVector());
            }
        }
        return out;
    }

    public static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
