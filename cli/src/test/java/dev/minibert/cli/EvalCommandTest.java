package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void classifierMetricsMatchACountOfItsOwnPredictions() throws Exception {
        Path model = dir.resolve("classifier");
        BertForSequenceClassification classifier = TinySavedModels.classifier(model);
        Path csv = TinySavedModels.labeledCsv(dir.resolve("test.csv"));
        CliRun run = CliRun.of("", "eval", "--model", model.toString(), "--data", csv.toString(), "--bootstrap", "200");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).hasSize(1);
        JsonNode out = JSON.readTree(run.stdout());

        // the truth: the in-memory classifier's argmax against the gold labels, counted here
        List<Example> examples = TinySavedModels.examples();
        double[][] p = TinySavedModels.probabilities(classifier);
        int[][] confusion = new int[2][2];
        for (int i = 0; i < examples.size(); i++) {
            confusion[examples.get(i).label()][Predictor.argmax(p[i])]++;
        }
        assertThat(confusion[0][1] + confusion[1][0]).as("the model makes mistakes: a non-trivial check").isPositive();
        double accuracy = (confusion[0][0] + confusion[1][1]) / 8.0;
        assertThat(out.get("kind").asText()).isEqualTo("classifier");
        assertThat(out.get("examples").asInt()).isEqualTo(8);
        assertThat(out.get("accuracy").asDouble()).isEqualTo(accuracy);
        assertThat(JSON.convertValue(out.get("confusion"), int[][].class)).isEqualTo(confusion);
        double f1Sum = 0;
        for (int c = 0; c < 2; c++) {
            double tp = confusion[c][c];
            double goldN = confusion[c][0] + confusion[c][1];
            double predN = confusion[0][c] + confusion[1][c];
            double f1 = goldN + predN == 0 ? 0 : 2 * tp / (goldN + predN);
            f1Sum += f1;
            JsonNode pc = out.get("per_class").get(TinySavedModels.LABELS.name(c));
            assertThat(pc.get("support").asInt()).isEqualTo((int) goldN);
            assertThat(pc.get("recall").asDouble()).isCloseTo(tp / goldN, within(1e-12));
            assertThat(pc.get("precision").asDouble()).isCloseTo(predN == 0 ? 0 : tp / predN, within(1e-12));
            assertThat(pc.get("f1").asDouble()).isCloseTo(f1, within(1e-12));
        }
        assertThat(out.get("macro_f1").asDouble()).isCloseTo(f1Sum / 2, within(1e-12));
        assertThat(out.get("micro_f1").asDouble()).isCloseTo(accuracy, within(1e-12));
        assertThat(out.get("accuracy_ci95").get(0).asDouble()).isLessThanOrEqualTo(accuracy);
        assertThat(out.get("accuracy_ci95").get(1).asDouble()).isGreaterThanOrEqualTo(accuracy);
        assertThat(out.get("bootstrap_resamples").asInt()).isEqualTo(200);
    }

    @Test
    void maskedLmScoresAFixedNumberOfMaskedTokensAtChanceLevelLoss() throws Exception {
        Path model = dir.resolve("mlm");
        TinySavedModels.maskedLm(model);
        Path corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
        CliRun run = CliRun.of("", "eval", "--model", model.toString(), "--data", corpus.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        JsonNode out = JSON.readTree(run.stdout());
        assertThat(out.get("kind").asText()).isEqualTo("masked_lm");
        // two documents of 11 and 9 tokens: round(0.15 * 11) + round(0.15 * 9) = 2 + 1 masked tokens
        assertThat(out.get("masked_tokens").asLong()).isEqualTo(3);
        // BERT's init gives near-zero logits: the loss of a uniform guess over the vocabulary
        int vocab = TinyModelFiles.vocab().size();
        assertThat(out.get("loss").asDouble()).isCloseTo(Math.log(vocab), within(0.05));
        assertThat(out.get("perplexity").asDouble()).isCloseTo(Math.exp(out.get("loss").asDouble()), within(1e-9));
        assertThat(out.get("masked_accuracy").asDouble()).isBetween(0.0, 1.0);

        CliRun again = CliRun.of("", "eval", "--model", model.toString(), "--data", corpus.toString());
        assertThat(again.stdout()).as("a fixed masking seed").isEqualTo(run.stdout());
    }

    @Test
    void anEncoderWithoutHeadOrLabelsIsARuntimeError() throws Exception {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        CliRun run = CliRun.of("", "eval", "--model", model.toString(), "--data",
                TinySavedModels.corpus(dir.resolve("c.txt")).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(model + ": neither a classifier").contains("nothing to evaluate");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void anUnknownLabelNamesFileAndLine() throws Exception {
        Path model = dir.resolve("classifier");
        TinySavedModels.classifier(model);
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "text,label\nthe cat,animal\nthe dog,plant\n");
        CliRun run = CliRun.of("", "eval", "--model", model.toString(), "--data", csv.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(csv + ":3: unknown label 'plant'");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void dataIsRequired() {
        CliRun run = CliRun.of("", "eval", "--model", dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("--data");
    }
}
