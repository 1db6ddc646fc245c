package dev.minibert.examples;

import dev.minibert.api.Classifier;
import dev.minibert.api.Prediction;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Classifies texts with a finetuned model directory.
 * Usage: {@code ClassifyTexts MODEL_DIR TEXT...}; prints, per text, its label, that label's probability and the text,
 * tab-separated.
 */
public final class ClassifyTexts {
    private ClassifyTexts() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClassifyTexts MODEL_DIR TEXT...");
            System.exit(2);
        }
        Classifier classifier = Classifier.load(Path.of(args[0]));
        List<String> texts = Arrays.asList(args).subList(1, args.length);
        List<Prediction> predictions = classifier.classify(texts);
        for (int i = 0; i < texts.size(); i++) {
            Prediction p = predictions.get(i);
            System.out.printf("%s\t%.4f\t%s%n", p.label(), p.probabilities().get(p.label()), texts.get(i));
        }
    }
}
