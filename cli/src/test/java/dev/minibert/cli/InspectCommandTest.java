package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.Example;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    private static final List<String> LAYER_NORMS = List.of("bert.embeddings.LayerNorm.weight",
            "bert.encoder.layer.0.attention.output.LayerNorm.weight", "bert.encoder.layer.0.output.LayerNorm.weight",
            "bert.encoder.layer.1.attention.output.LayerNorm.weight", "bert.encoder.layer.1.output.LayerNorm.weight");

    @TempDir
    Path dir;

    private static double number(String stdout, String regex) {
        Matcher m = Pattern.compile(regex).matcher(stdout);
        assertThat(m.find()).as("%s in%n%s", regex, stdout).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void maskedLmModelGetsAMaskedBatchOfTheCorpus() throws Exception {
        Path model = dir.resolve("mlm");
        TinySavedModels.maskedLm(model);
        Path corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
        CliRun run = CliRun.of("", "inspect", "--model", model.toString(), "--data", corpus.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String out = run.stdout();
        // two documents of 11 and 9 tokens: 2 + 1 masked
        assertThat(out).contains("(masked_lm, post-norm, 2 layers, hidden 16", "2 sequences of " + corpus + ", 3 tokens masked");
        for (String ln : LAYER_NORMS) {
            // a fresh model: every gain is exactly 1
            assertThat(out).containsPattern(Pattern.quote(ln) + " +(encoder|last encoder|embeddings) +1\\.000 +1\\.000 +0\n");
        }
        assertThat(out).contains("cls.predictions.transform.LayerNorm.weight");
        for (String group : List.of("embeddings", "layer.0", "layer.1", "cls")) {
            assertThat(number(out, "\n" + Pattern.quote(group) + " +([0-9.e-]+)\n")).as(group).isPositive();
        }
        assertThat(out).contains("weight gradients: first/last layer", "input gradients: first/last layer");
        assertThat(CliRun.of("", "inspect", "--model", model.toString(), "--data", corpus.toString()).stdout())
                .as("seeded").isEqualTo(out);
    }

    @Test
    void builtInChineseSentencesOutsideTheVocabularyAreAClearError() throws Exception {
        Path model = dir.resolve("mlm");
        TinySavedModels.maskedLm(model); // an English word vocabulary: every Chinese character is [UNK]
        CliRun run = CliRun.of("", "inspect", "--model", model.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("the built-in sentences: every token is [UNK] or special in the vocabulary of "
                + model);
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void classifierLossIsTheCrossEntropyOfItsPredictions() throws Exception {
        Path model = dir.resolve("classifier");
        BertForSequenceClassification classifier = TinySavedModels.classifier(model);
        Path csv = TinySavedModels.labeledCsv(dir.resolve("data.csv"));
        CliRun run = CliRun.of("", "inspect", "--model", model.toString(), "--data", csv.toString(), "--batch-size", "8");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<Example> examples = TinySavedModels.examples();
        double[][] p = TinySavedModels.probabilities(classifier);
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            loss -= Math.log(p[i][examples.get(i).label()]) / p.length;
        }
        assertThat(run.stdout()).contains("8 labeled examples of " + csv);
        assertThat(number(run.stdout(), "loss: ([0-9.]+)")).isCloseTo(loss, within(5e-4 * loss));
        assertThat(run.stdout()).contains("\nclassifier ", "\npooler ");
    }

    @Test
    void encoderWithoutHeadGetsAFreshHeadThatIsNotReportedAsTheModels() throws Exception {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        CliRun run = CliRun.of("", "inspect", "--model", model.toString(), "--data",
                TinySavedModels.corpus(dir.resolve("corpus.txt")).toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("note: the model has no MLM head", "MLM head LayerNorm n/a")
                .doesNotContain("cls.predictions.transform.LayerNorm");
    }

    @Test
    void missingModelIsARuntimeErrorNamingIt() {
        CliRun run = CliRun.of("", "inspect", "--model", dir.resolve("nope").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(dir.resolve("nope") + ": not a model directory");
    }
}
