package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.Gemm;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code minibert predict} on a saved classifier gives the in-memory classifier's probabilities, line by line. */
class PredictCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LabelMap LABELS = LabelMap.of(List.of("neg", "neutral", "pos"));

    @TempDir
    Path dir;

    private BertForSequenceClassification classifier;
    private Path model;

    @BeforeEach
    void saveAClassifier() throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        classifier = new BertForSequenceClassification(TinyModelFiles.config(), store, LABELS.size(), null);
        Initializer.initialize(store, 0.3, 4); // larger than BERT's 0.02 so that the probabilities are far from uniform
        model = dir.resolve("classifier");
        ModelDirectory.save(model, LABELS.withLabels(TinyModelFiles.config()), TinyModelFiles.vocab(), true, store,
                Map.of(LabelMap.FILE, LABELS.toJson()));
        store.freeze(); // as predict loads it: the expected answers from the same products
    }

    private void assertPredictions(String stdout, List<Example> examples) {
        double[][] expected = new Predictor(classifier, 1).probabilities(
                new EncodedExamples(examples, new BertTokenizer(TinyModelFiles.vocab(), true), 128));
        List<String> lines = stdout.lines().toList();
        assertThat(lines).hasSize(examples.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new AssertionError("line " + (i + 1) + " is not JSON: " + lines.get(i), e);
            }
            assertThat(row.get("label").asText()).isEqualTo(LABELS.name(Predictor.argmax(expected[i])));
            assertThat(row.get("probabilities").fieldNames()).toIterable().containsExactly("neg", "neutral", "pos");
            for (int c = 0; c < LABELS.size(); c++) {
                double printed = row.get("probabilities").get(LABELS.name(c)).asDouble();
                if (Gemm.isBatchInvariant()) { // batched, the texts' answers are their own alone, bit for bit
                    assertThat(printed).as("line %d, %s", i + 1, LABELS.name(c)).isEqualTo(expected[i][c]);
                } else {
                    assertThat(printed).as("line %d, %s", i + 1, LABELS.name(c)).isCloseTo(expected[i][c], within(1e-5));
                }
            }
        }
    }

    @Test
    void anOverlongStdinLineIsRefusedNamingIt() {
        HostileInputCommandTest.assertOverlongStdinLineRefused("predict", "--model", model.toString(), "--batch-size",
                "1");
    }

    @Test
    void singleTextsFromStdinInBatches() {
        List<String> texts = List.of("the cat sat on the mat", "dog", "very very fast dog ran", "slow cat", "the mat");
        CliRun run = CliRun.of(String.join("\n", texts) + "\n", "predict", "--model", model.toString(), "--batch-size", "2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<Example> examples = new ArrayList<>();
        for (String t : texts) {
            examples.add(new Example(t, null, 0, 0));
        }
        assertPredictions(run.stdout(), examples);
        double[] first = new Predictor(classifier, 1).probabilities(new EncodedExamples(examples.subList(0, 1),
                new BertTokenizer(TinyModelFiles.vocab(), true), 128))[0];
        assertThat(first[0]).as("a non-trivial check needs non-uniform probabilities").isNotCloseTo(1.0 / 3, within(0.01));
    }

    @Test
    void pairsFromAFile() throws IOException {
        Path input = Files.writeString(dir.resolve("pairs.txt"), "the cat sat\tthe dog ran\nslow\tvery fast\n",
                StandardCharsets.UTF_8);
        CliRun run = CliRun.of("", "predict", "--model", model.toString(), "--pair", "--input", input.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertPredictions(run.stdout(), List.of(new Example("the cat sat", "the dog ran", 0, 1),
                new Example("slow", "very fast", 0, 2)));
    }

    @Test
    void pairLineWithoutATabNamesTheLine() throws IOException {
        Path input = Files.writeString(dir.resolve("pairs.txt"), "a\tb\nno tab here\n", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("", "predict", "--model", model.toString(), "--pair", "--input", input.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(input + ":2", "no tab");
    }

    @Test
    void modelWithoutLabelsExitsOneNamingTheFile() throws IOException {
        Files.delete(model.resolve(LabelMap.FILE));
        CliRun run = CliRun.of("the cat\n", "predict", "--model", model.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(model.resolve(LabelMap.FILE).toString()).doesNotContain("\tat ");
    }
}
