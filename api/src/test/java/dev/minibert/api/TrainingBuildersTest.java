package dev.minibert.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.pretrain.PretrainingRecipe;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link Pretrain} and {@link Finetune} run the real training into directories that load back, and refuse bad
 * options before writing anything; {@link Classifier} on the result equals the saved weights' predictor.
 */
class TrainingBuildersTest {
    @TempDir
    Path dir;

    @Test
    void pretrainThenFinetuneThenClassify() throws IOException {
        Path run = dir.resolve("run");
        List<Long> loggedSteps = new ArrayList<>();
        TrainingSummary pretrained = Pretrain.corpus(List.of(TinyModels.corpus(dir.resolve("corpus.txt"))))
                .config(TinyModels.configJson(dir.resolve("config.json")))
                .vocab(TinyModels.vocabTxt(dir.resolve("vocab.txt"))).out(run).maxSteps(3).batchSize(2).maxSeqLen(16)
                .evalFraction(0).logEvery(1).threads(1).onMetrics(m -> loggedSteps.add(((Number) m.get("step")).longValue()))
                .run();
        assertThat(pretrained.steps()).isEqualTo(3);
        assertThat(pretrained.model()).isEqualTo(run.resolve("model"));
        assertThat(loggedSteps).containsExactly(1L, 2L, 3L);
        assertThat(ModelDirectory.open(pretrained.model()).config().hiddenSize).isEqualTo(16);

        Path out = dir.resolve("classifier");
        TrainingSummary finetuned = Finetune.model(pretrained.model()).train(TinyModels.labeledCsv(dir.resolve("t.csv")))
                .out(out).epochs(2).batchSize(4).threads(1).run();
        assertThat(finetuned.steps()).isEqualTo(4); // 8 rows, 2 per epoch in batches of 4
        assertThat(finetuned.model()).isEqualTo(out);

        Classifier classifier = Classifier.load(out, 1, 3);
        assertThat(classifier.labels()).containsExactly("animal", "motion");
        List<Prediction> predictions = classifier.classify(TinyModels.TEXTS);
        double[][] expected = savedPredictor(out);
        for (int i = 0; i < expected.length; i++) {
            assertThat(predictions.get(i).probabilities()).as("text %d", i).containsOnlyKeys("animal", "motion");
            assertThat(predictions.get(i).probabilities().get("animal")).isCloseTo(expected[i][0], within(1e-6));
            assertThat(predictions.get(i).probabilities().get("motion")).isCloseTo(expected[i][1], within(1e-6));
            assertThat(predictions.get(i).label()).isEqualTo(TinyModels.LABELS.name(Predictor.argmax(expected[i])));
        }
    }

    /** The saved classifier loaded without the API, predicting each text in a batch of its own. */
    private static double[][] savedPredictor(Path out) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ModelDirectory saved = ModelDirectory.open(out);
        BertForSequenceClassification model = new BertForSequenceClassification(saved.config(), store,
                LabelMap.load(out.resolve(LabelMap.FILE)).size(), null);
        saved.loadInto(store, name -> false);
        List<Example> examples = new ArrayList<>();
        for (String text : TinyModels.TEXTS) {
            examples.add(new Example(text, null, 0, 0));
        }
        return new Predictor(model, 1).probabilities(
                new EncodedExamples(examples, new BertTokenizer(saved.vocab(), true), Classifier.DEFAULT_MAX_SEQ_LEN));
    }

    /** recipe(QUICKSTART) is {@code --recipe quickstart}: its values where no later setter gives one. */
    @Test
    void theQuickstartRecipeFillsWhatNoLaterSetterGives() {
        Pretraining.Options options = Pretrain.corpus(List.of(dir.resolve("corpus.txt"))).out(dir.resolve("run"))
                .recipe(PretrainingRecipe.QUICKSTART).learningRate(5e-4).options();
        assertThat(options.training().learningRate()).isEqualTo(5e-4);
        assertThat(options.training().warmupSteps()).isEqualTo(90L);
        assertThat(options.training().decayRatio()).isEqualTo(0.2);
        assertThat(options.training().batchSize()).isEqualTo(32);
        assertThat(options.maxSeqLen()).isEqualTo(64);
        Pretraining.Options plain = Pretrain.corpus(List.of(dir.resolve("corpus.txt"))).out(dir.resolve("run")).options();
        assertThat(plain.training().warmupSteps()).as("without the recipe: no warmup unless asked").isNull();
    }

    /** resumeFrom(checkpoint) is {@code --resume CHECKPOINT}: that checkpoint, not the newest, as the command does. */
    @Test
    void aNamedCheckpointIsResumed() throws IOException {
        Path run = dir.resolve("run");
        Pretrain pretrain = Pretrain.corpus(List.of(TinyModels.corpus(dir.resolve("corpus.txt"))))
                .config(TinyModels.configJson(dir.resolve("config.json")))
                .vocab(TinyModels.vocabTxt(dir.resolve("vocab.txt"))).out(run).maxSteps(6).batchSize(2).maxSeqLen(16)
                .evalFraction(0).logEvery(1).saveEvery(2).threads(1);
        pretrain.run();
        List<Double> uninterrupted = losses(run.resolve("metrics.jsonl"));
        List<Long> resumedSteps = new ArrayList<>();
        TrainingSummary resumed = pretrain.resumeFrom(run.resolve("checkpoints/checkpoint-2"))
                .onMetrics(m -> resumedSteps.add(((Number) m.get("step")).longValue())).run();
        assertThat(resumed.steps()).isEqualTo(6);
        assertThat(resumedSteps).as("from checkpoint-2, not the newest (6)").containsExactly(3L, 4L, 5L, 6L);
        assertThat(losses(run.resolve("metrics.jsonl"))).containsExactlyElementsOf(uninterrupted);

        Path out = dir.resolve("classifier");
        Finetune finetune = Finetune.model(resumed.model()).train(TinyModels.labeledCsv(dir.resolve("t.csv"))).out(out)
                .epochs(3).batchSize(4).logEvery(1).threads(1);
        finetune.run();
        List<Double> finetuned = losses(out.resolve("training/metrics.jsonl"));
        List<Long> refinetunedSteps = new ArrayList<>();
        finetune.resumeFrom(out.resolve("training/checkpoints/checkpoint-4"))
                .onMetrics(m -> refinetunedSteps.add(((Number) m.get("step")).longValue())).run();
        assertThat(refinetunedSteps).containsExactly(5L, 6L);
        assertThat(losses(out.resolve("training/metrics.jsonl"))).containsExactlyElementsOf(finetuned);
    }

    private static List<Double> losses(Path metrics) throws IOException {
        List<Double> losses = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode row = json.readTree(line);
            if (row.has("loss")) {
                losses.add(row.get("loss").asDouble());
            }
        }
        return losses;
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = dir.resolve("out");
        Path model = dir.resolve("model");
        TinyModels.encoder(model);
        Path csv = TinyModels.labeledCsv(dir.resolve("t.csv"));
        assertThatThrownBy(() -> Finetune.model(model).train(csv).out(out).metric("f2").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--metric must be accuracy or macro_f1, got f2");
        assertThatThrownBy(() -> Finetune.model(model).train(csv).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out(DIR)");
        assertThatThrownBy(() -> Pretrain.corpus(List.of(csv)).vocab(csv).out(out).threads(1).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--config");
        assertThat(out).doesNotExist();
    }
}
