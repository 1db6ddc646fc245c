package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.SafeTensors;
import dev.minibert.model.train.TrainingLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** End-to-end finetuning of a tiny from-scratch model: learning, the output folder, freezing and exact resume. */
class FinetuningTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    static Finetuning.Options options(Path model, Path train, Path dev, Path out, int epochs, double lr, int logEvery,
                                      int freezeLayers, boolean resume) {
        return Finetuning.Options.builder().model(model).train(train).dev(dev).out(out).epochs(epochs).maxSeqLen(16)
                .learningRate(lr).logEvery(logEvery).seed(7).resume(resume).bestMetric("accuracy")
                .freezeLayers(freezeLayers).build();
    }

    private static List<JsonNode> metrics(Path out) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("training/metrics.jsonl"), StandardCharsets.UTF_8)) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.remove("step_seconds"); // wall time, the one figure a rerun cannot reproduce
            rows.add(row);
        }
        return rows;
    }

    @Test
    void learnsAPositionalTaskAndWritesAClassifierDirectory() throws IOException {
        Path model = dir.resolve("pretrained");
        TinyPretrained.write(model, TinyPretrained.config(BertConfig.NormStyle.POST, 0.0), 1);
        Path train = TinyPretrained.csv(dir.resolve("train.csv"), 240, 2);
        Path dev = TinyPretrained.csv(dir.resolve("dev.csv"), 120, 3);
        Path out = dir.resolve("out");
        int epochs = 6;
        TrainingLoop.Result result = Finetuning.run(options(model, train, dev, out, epochs, 5e-3, 1, 0, false), row -> { });
        assertThat(result.steps()).isEqualTo(epochs * 15L);

        List<JsonNode> rows = metrics(out);
        List<JsonNode> epochEnds = rows.stream().filter(r -> r.has("dev_accuracy")).toList();
        assertThat(epochEnds).hasSize(epochs);
        double best = epochEnds.stream().mapToDouble(r -> r.get("dev_accuracy").asDouble()).max().orElseThrow();
        assertThat(best).as("best dev accuracy").isGreaterThan(0.95);
        assertThat(epochEnds.get(0).get("step").asLong()).isEqualTo(15);
        assertThat(epochEnds.get(0).get("relative_weight_change").fieldNames()).toIterable()
                .contains("embeddings", "layer.0", "layer.1", "pooler", "classifier");
        assertThat(rows.get(0).get("grad_norms").fieldNames()).toIterable()
                .contains("embeddings", "layer.0", "layer.1", "pooler", "classifier");
        assertThat(epochEnds.get(epochs - 1).get("relative_weight_change").get("layer.1").asDouble()).isPositive();

        // the output folder is a classifier directory holding the best epoch's model
        ModelDirectory saved = ModelDirectory.open(out);
        assertThat(saved.config().extra.get("id2label").toString()).isEqualTo("{\"0\":\"no\",\"1\":\"yes\"}");
        assertThat(saved.config().extra.get("label2id").toString()).isEqualTo("{\"no\":0,\"yes\":1}");
        assertThat(LabelMap.load(out.resolve(LabelMap.FILE)).names()).containsExactly("no", "yes");
        assertThat(saved.vocab().tokens()).isEqualTo(TinyPretrained.vocab().tokens());
        ParameterStore store = new ParameterStore(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        BertForSequenceClassification classifier = new BertForSequenceClassification(saved.config(), store, 2, null);
        saved.loadInto(store, n -> false);
        ClassificationDataset devSet = ClassificationDataset.load(dev, DatasetFormat.single(dev),
                LabelMap.load(out.resolve(LabelMap.FILE)), false);
        EncodedExamples devData = new EncodedExamples(devSet.examples(),
                new dev.minibert.tokenizer.BertTokenizer(saved.vocab(), saved.doLowerCase()), 16);
        double[][] probs = new Predictor(classifier, 32).probabilities(devData);
        int correct = 0;
        for (int i = 0; i < probs.length; i++) {
            correct += Predictor.argmax(probs[i]) == devData.labels()[i] ? 1 : 0;
        }
        assertThat((double) correct / probs.length).as("the saved model is the best epoch's").isEqualTo(best);
    }

    @Test
    void patienceStopsWhenDevAccuracyStopsImproving() throws IOException {
        Path model = dir.resolve("pretrained");
        TinyPretrained.write(model, TinyPretrained.config(BertConfig.NormStyle.POST, 0.0), 1);
        Path train = TinyPretrained.csv(dir.resolve("train.csv"), 64, 2);
        Path dev = TinyPretrained.csv(dir.resolve("dev.csv"), 32, 3);
        // a learning rate too small to move the dev accuracy: epoch 1 sets the best, epoch 2 does not beat it
        Finetuning.Options o = Finetuning.Options.builder().model(model).train(train).dev(dev).out(dir.resolve("out"))
                .epochs(6).maxSeqLen(16).learningRate(1e-12).warmupRatio(0.0).weightDecay(0.0).logEvery(1).seed(7)
                .bestMetric("accuracy").patience(1).build();
        TrainingLoop.Result r = Finetuning.run(o, m -> { });
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.steps()).as("two epochs of 4 steps, not six").isEqualTo(8);
        assertThat(metrics(dir.resolve("out")).stream().filter(m -> m.has("dev_accuracy")).count()).isEqualTo(2);
    }

    @Test
    void frozenParametersStayBitIdentical() throws IOException {
        Path model = dir.resolve("pretrained");
        ParameterStore initial = TinyPretrained.write(model, TinyPretrained.config(BertConfig.NormStyle.POST, 0.1), 1);
        Path train = TinyPretrained.csv(dir.resolve("train.csv"), 48, 2);
        Path out = dir.resolve("out");
        Finetuning.run(options(model, train, null, out, 2, 1e-2, 1, 1, false), row -> { });
        Map<String, INDArray> trained = SafeTensors.read(out.resolve(ModelDirectory.WEIGHTS));
        for (Parameter p : initial) {
            boolean frozen = p.name().startsWith("bert.embeddings.") || p.name().startsWith("bert.encoder.layer.0.");
            if (p.name().endsWith(".key.bias") && !frozen) {
                continue; // its gradient is exactly 0: it shifts a query's scores for all keys alike, and softmax ignores that
            }
            assertThat(trained.get(p.name()).equals(p.value()))
                    .as("%s is %s", p.name(), frozen ? "frozen" : "trained").isEqualTo(frozen);
        }
    }

    @Test
    void resumeAfterAnInterruptionContinuesExactly() throws IOException {
        Path model = dir.resolve("pretrained");
        TinyPretrained.write(model, TinyPretrained.config(BertConfig.NormStyle.POST, 0.1), 1);
        Path train = TinyPretrained.csv(dir.resolve("train.csv"), 40, 2);
        Path dev = TinyPretrained.csv(dir.resolve("dev.csv"), 16, 3);
        Path whole = dir.resolve("whole");
        Finetuning.run(options(model, train, dev, whole, 3, 3e-3, 1, 0, false), row -> { });

        Path resumed = dir.resolve("resumed");
        // 3 steps per epoch: die during step 5, after the checkpoint of epoch 1 and before that of epoch 2
        assertThatThrownBy(() -> Finetuning.run(options(model, train, dev, resumed, 3, 3e-3, 1, 0, false), row -> {
            if (((Number) row.get("step")).longValue() == 5) {
                throw new IllegalStateException("killed");
            }
        })).hasMessage("killed");
        assertThatThrownBy(() -> Finetuning.run(options(model, train, dev, resumed, 3, 3e-3, 1, 0, false), row -> { }))
                .hasMessageContaining("--resume");
        Finetuning.run(options(model, train, dev, resumed, 3, 3e-3, 1, 0, true), row -> { });

        List<JsonNode> expected = metrics(whole);
        assertThat(expected).hasSize(9);
        assertThat(metrics(resumed)).isEqualTo(expected);
        assertThat(Files.readAllBytes(resumed.resolve(ModelDirectory.WEIGHTS)))
                .isEqualTo(Files.readAllBytes(whole.resolve(ModelDirectory.WEIGHTS)));

        // resuming a finished run changes nothing
        Finetuning.run(options(model, train, dev, resumed, 3, 3e-3, 1, 0, true), row -> { });
        assertThat(metrics(resumed)).isEqualTo(metrics(whole));
    }
}
