package dev.minibert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.VectorNorm;
import dev.minibert.model.train.MicroBatches;
import dev.minibert.model.train.SeedPurpose;
import dev.minibert.model.train.GradientProbe;
import dev.minibert.model.train.TrainingTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sequence classification as a {@link TrainingTask}: seeded epoch order and dropout per micro-batch,
 * dev evaluation at each epoch end, the best model kept by a chosen metric, early stopping, and each
 * layer's relative weight change ‖W−W₀‖/‖W₀‖ since the start (the finetune-drift measurement).
 */
final class ClassificationTask implements TrainingTask {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE_FILE = "finetune_state.json";

    interface ModelWriter {
        void write(Path dir) throws IOException;
    }

    private final BertForSequenceClassification model;
    private final ParameterStore store;
    private final EncodedExamples train;
    private final EncodedExamples dev; // null: no dev evaluation, the last model is kept
    private final MicroBatches microBatches;
    private final String bestMetric;
    private final int patience;
    private final ModelWriter writer;
    private final Path bestDir;
    private final Map<String, INDArray> initial = new LinkedHashMap<>();
    private double bestScore = Double.NEGATIVE_INFINITY;
    private long bestStep = -1;
    private int epochsWithoutImprovement;

    ClassificationTask(BertForSequenceClassification model, ParameterStore store, EncodedExamples train,
                       EncodedExamples dev, MicroBatches microBatches, String bestMetric, int patience, ModelWriter writer,
                       Path bestDir) {
        this.model = model;
        this.store = store;
        this.train = train;
        this.dev = dev;
        this.microBatches = microBatches;
        this.bestMetric = bestMetric;
        this.patience = patience;
        this.writer = writer;
        this.bestDir = bestDir;
        for (Parameter p : store) {
            initial.put(p.name(), p.value().dup());
        }
    }

    @Override
    public ParameterStore store() {
        return store;
    }

    @Override
    public double forwardBackward(long step, int micro, double scale, Map<String, Object> metrics) {
        long g = microBatches.index(step, micro);
        EncodedExamples.Batch b = train.batch(microBatches.examples(g));
        model.reseedDropout(microBatches.seed(SeedPurpose.DROPOUT, g));
        metrics.put("epoch", microBatches.epochOf(g));
        return model.forwardBackward(b.inputIds(), b.tokenTypeIds(), b.attentionMask(), b.labels(), scale);
    }

    @Override
    public boolean afterStep(long step, Map<String, Object> metrics) {
        if (!microBatches.epochEndsAt(step)) {
            return true;
        }
        metrics.put("relative_weight_change", relativeWeightChange());
        if (dev == null) {
            return true;
        }
        double[][] probs = new Predictor(model, 64).probabilities(dev);
        int[] predicted = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            predicted[i] = Predictor.argmax(probs[i]);
        }
        ClassificationMetrics m = ClassificationMetrics.of(dev.labels(), predicted, model.numLabels());
        metrics.put("dev_accuracy", m.accuracy());
        metrics.put("dev_macro_f1", m.macroF1());
        double score = "accuracy".equals(bestMetric) ? m.accuracy() : m.macroF1();
        if (score > bestScore) {
            bestScore = score;
            bestStep = step;
            epochsWithoutImprovement = 0;
            try {
                writer.write(bestDir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            metrics.put("best", true);
        } else {
            epochsWithoutImprovement++;
        }
        return patience <= 0 || epochsWithoutImprovement < patience;
    }

    /** ‖W−W₀‖/‖W₀‖ per group (embeddings, layer.i, pooler, classifier) since the start of finetuning. */
    Map<String, Double> relativeWeightChange() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Parameter p : store) {
            INDArray w0 = initial.get(p.name());
            double diff = VectorNorm.l2(p.value().sub(w0));
            double base = VectorNorm.l2(w0);
            double[] s = sums.computeIfAbsent(GradientProbe.groupOf(p.name()), k -> new double[2]);
            s[0] += diff * diff;
            s[1] += base * base;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((group, s) -> out.put(group, s[1] == 0 ? 0 : Math.sqrt(s[0] / s[1])));
        return out;
    }

    @Override
    public void writeModel(Path dir) throws IOException {
        writer.write(dir);
        ObjectNode state = JSON.createObjectNode();
        state.put("best_score", bestScore);
        state.put("best_step", bestStep);
        state.put("epochs_without_improvement", epochsWithoutImprovement);
        Files.writeString(dir.resolve(STATE_FILE), state.toPrettyString(), StandardCharsets.UTF_8);
    }

    @Override
    public void restore(Path checkpoint) throws IOException {
        JsonNode state = JSON.readTree(checkpoint.resolve(STATE_FILE).toFile());
        bestScore = state.path("best_score").asDouble(Double.NEGATIVE_INFINITY);
        bestStep = state.path("best_step").asLong(-1);
        epochsWithoutImprovement = state.path("epochs_without_improvement").asInt(0);
    }

    long bestStep() {
        return bestStep;
    }
}
