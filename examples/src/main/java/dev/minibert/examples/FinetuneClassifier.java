package dev.minibert.examples;

import dev.minibert.api.Classifier;
import dev.minibert.api.Finetune;
import dev.minibert.api.Prediction;
import dev.minibert.api.TrainingSummary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Finetunes a pretrained model directory (e.g. models/bge-small-zh-v1.5) on a labeled CSV with columns text,label,
 * then classifies texts with the result.
 * Usage: {@code FinetuneClassifier PRETRAINED_DIR TRAIN_CSV OUT_DIR EPOCHS TEXT...}; prints the run's summary on
 * stderr, then, per text, its label and the text, tab-separated.
 */
public final class FinetuneClassifier {
    private FinetuneClassifier() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: FinetuneClassifier PRETRAINED_DIR TRAIN_CSV OUT_DIR EPOCHS TEXT...");
            System.exit(2);
        }
        TrainingSummary run = Finetune.model(Path.of(args[0])).train(Path.of(args[1])).out(Path.of(args[2]))
                .epochs(Integer.parseInt(args[3])).batchSize(8).maxSeqLen(32).learningRate(1e-4).run();
        System.err.printf("finetuned %d steps, last loss %.4f; model in %s%n", run.steps(), run.lastLoss(), run.model());

        List<String> texts = Arrays.asList(args).subList(4, args.length);
        List<Prediction> predictions = Classifier.load(run.model()).classify(texts);
        for (int i = 0; i < texts.size(); i++) {
            System.out.printf("%s\t%s%n", predictions.get(i).label(), texts.get(i));
        }
    }
}
