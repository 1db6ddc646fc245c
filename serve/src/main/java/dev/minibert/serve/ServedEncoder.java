package dev.minibert.serve;

import dev.minibert.api.EncodedText;
import dev.minibert.api.Encoder;
import dev.minibert.api.Prediction;
import java.util.List;

/** An encoder directory behind {@code /v1/embed}, truncating as {@code minibert embed} does by default. */
record ServedEncoder(Encoder encoder) implements ServedModel {
    @Override
    public String task() {
        return "embed";
    }

    @Override
    public List<Prediction> classify(List<String> texts, List<String> pairs) {
        throw new UnsupportedOperationException("an encoder does not classify");
    }

    @Override
    public List<EncodedText> encode(List<String> texts) {
        return encoder.encode(texts);
    }
}
