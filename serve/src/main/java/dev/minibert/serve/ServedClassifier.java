package dev.minibert.serve;

import dev.minibert.api.Classifier;
import dev.minibert.api.EncodedText;
import dev.minibert.api.Prediction;
import java.util.List;

/** A classifier directory behind {@code /v1/classify}, truncating as {@code minibert predict} does by default. */
record ServedClassifier(Classifier classifier) implements ServedModel {
    @Override
    public String task() {
        return "classify";
    }

    @Override
    public List<Prediction> classify(List<String> texts, List<String> pairs) {
        return classifier.classify(texts, pairs, Classifier.DEFAULT_MAX_SEQ_LEN);
    }

    @Override
    public List<EncodedText> encode(List<String> texts) {
        throw new UnsupportedOperationException("a classifier does not embed");
    }
}
