package dev.minibert.examples;

import dev.minibert.api.Encoder;
import dev.minibert.api.Pooling;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Embeds sentences and ranks them by cosine similarity to the first.
 * Usage: {@code EmbedSentences MODEL_DIR SENTENCE...}; prints, per sentence, its similarity to the first, the
 * sentence, and its [CLS] embedding, tab-separated.
 */
public final class EmbedSentences {
    private EmbedSentences() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EmbedSentences MODEL_DIR SENTENCE...");
            System.exit(2);
        }
        Encoder encoder = Encoder.load(Path.of(args[0]));
        List<String> sentences = Arrays.asList(args).subList(1, args.length);
        float[][] vectors = encoder.embed(sentences, Pooling.CLS);
        for (int i = 0; i < vectors.length; i++) {
            System.out.printf("%.4f\t%s\t%s%n", cosine(vectors[0], vectors[i]), sentences.get(i),
                    Arrays.toString(vectors[i]));
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }
        return dot / Math.sqrt(na * nb);
    }
}
