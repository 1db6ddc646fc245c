package dev.minibert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.minibert.api.Classifier;
import dev.minibert.api.Prediction;
import dev.minibert.tokenizer.Utf8LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minibert predict}: a finetuned directory alone classifies text lines into JSON lines. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify UTF-8 lines (TEXT or TEXT_A<TAB>TEXT_B with --pair); one JSON object per line.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "finetuned model directory (with labels.json)") Path model;
    @Option(names = "--input", defaultValue = "-", description = "input file, or - for stdin (default)") String input;
    @Option(names = "--pair", description = "each line is TEXT_A<TAB>TEXT_B") boolean pair;
    @Option(names = "--max-seq-len", defaultValue = "128", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--batch-size", defaultValue = "32", description = "lines per forward pass") int batchSize;
    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws IOException {
        Classifier classifier = Classifier.load(model, threads.count(), batchSize);
        String source = input.equals("-") ? "<stdin>" : input;
        try (InputStream raw = input.equals("-") ? System.in : Files.newInputStream(Path.of(input));
             Utf8LineReader in = new Utf8LineReader(raw, source);
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            List<String> texts = new ArrayList<>();
            List<String> seconds = pair ? new ArrayList<>() : null;
            String line;
            while ((line = in.next()) != null) {
                split(line, source, in.lineNumber(), texts, seconds);
                if (texts.size() == batchSize) {
                    write(classifier.classify(texts, seconds, maxSeqLen), json, out);
                    texts.clear();
                    if (pair) {
                        seconds.clear();
                    }
                }
            }
            if (!texts.isEmpty()) {
                write(classifier.classify(texts, seconds, maxSeqLen), json, out);
            }
        }
        return 0;
    }

    /** The line as one text, or (with --pair) as a first and a second text. */
    private void split(String line, String source, int lineNo, List<String> texts, List<String> seconds) {
        if (!pair) {
            texts.add(line);
            return;
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw new IllegalArgumentException(source + ":" + lineNo + ": --pair expects TEXT_A<TAB>TEXT_B, found no tab");
        }
        texts.add(line.substring(0, tab));
        seconds.add(line.substring(tab + 1));
    }

    private static void write(List<Prediction> predictions, JsonGenerator json, Writer out) throws IOException {
        for (Prediction p : predictions) {
            json.writeStartObject();
            json.writeStringField("label", p.label());
            json.writeObjectFieldStart("probabilities");
            for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                json.writeNumberField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
            json.flush();
            out.write('\n');
        }
        out.flush();
    }
}
