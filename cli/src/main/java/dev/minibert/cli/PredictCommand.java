package dev.minibert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
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
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minibert predict}: a finetuned directory alone classifies text lines into JSON lines. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify UTF-8 lines (TEXT or TEXT_A<TAB>TEXT_B with --pair); one JSON object per line.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "finetuned model directory (with labels.json)") Path model;
    @Option(names = "--input", defaultValue = "-", description = "input file, or - for stdin (default)") String input;
    @Option(names = "--pair", description = "each line is TEXT_A<TAB>TEXT_B") boolean pair;
    @Option(names = "--max-seq-len", defaultValue = "128") int maxSeqLen;
    @Option(names = "--batch-size", defaultValue = "32") int batchSize;
    @Option(names = "--threads", defaultValue = "2") int threads;

    @Override
    public Integer call() throws IOException {
        Nd4jSetup.init(threads);
        ModelDirectory dir = ModelDirectory.open(model);
        LabelMap labels = LabelMap.load(model.resolve(LabelMap.FILE));
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification classifier = new BertForSequenceClassification(dir.config(), store, labels.size(), null);
        dir.loadInto(store, name -> false);
        BertTokenizer tokenizer = new BertTokenizer(dir.vocab(), dir.doLowerCase());
        Predictor predictor = new Predictor(classifier, batchSize);
        String source = input.equals("-") ? "<stdin>" : input;
        try (InputStream raw = input.equals("-") ? System.in : Files.newInputStream(Path.of(input));
             Utf8LineReader in = new Utf8LineReader(raw, source);
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            List<Example> chunk = new ArrayList<>();
            String line;
            while ((line = in.next()) != null) {
                chunk.add(example(line, source, in.lineNumber()));
                if (chunk.size() == batchSize) {
                    write(predictor.probabilities(new EncodedExamples(chunk, tokenizer, maxSeqLen)), labels, json, out);
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty()) {
                write(predictor.probabilities(new EncodedExamples(chunk, tokenizer, maxSeqLen)), labels, json, out);
            }
        }
        return 0;
    }

    private Example example(String line, String source, int lineNo) {
        if (!pair) {
            return new Example(line, null, 0, lineNo);
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw new IllegalArgumentException(source + ":" + lineNo + ": --pair expects TEXT_A<TAB>TEXT_B, found no tab");
        }
        return new Example(line.substring(0, tab), line.substring(tab + 1), 0, lineNo);
    }

    private static void write(double[][] probabilities, LabelMap labels, JsonGenerator json, Writer out) throws IOException {
        for (double[] p : probabilities) {
            json.writeStartObject();
            json.writeStringField("label", labels.name(Predictor.argmax(p)));
            json.writeObjectFieldStart("probabilities");
            for (int c = 0; c < p.length; c++) {
                json.writeNumberField(labels.name(c), p[c]);
            }
            json.writeEndObject();
            json.writeEndObject();
            json.flush();
            out.write('\n');
        }
        out.flush();
    }
}
