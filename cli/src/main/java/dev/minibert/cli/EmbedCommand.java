package dev.minibert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.minibert.api.EncodedText;
import dev.minibert.api.Encoder;
import dev.minibert.tokenizer.Utf8LineReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Feature extraction like HF's BertModel: text lines in, hidden states and pooled output out as JSON lines. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Read UTF-8 lines on stdin; write JSON lines with input_ids, last_hidden_state [T][H], pooler_output [H].")
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (config.json, vocab.txt, model.safetensors)")
    Path model;

    @Option(names = "--max-seq-len", description = "truncate to this many tokens (default: the model's max positions)")
    Integer maxLength;

    /** The option's earlier name, kept working but out of --help: --max-seq-len is its name in every command. */
    @Option(names = "--max-length", hidden = true)
    void maxLength(int tokens) {
        maxLength = tokens;
    }

    @Option(names = "--batch-size", defaultValue = "16", description = "lines per forward pass")
    int batchSize;

    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws IOException {
        Encoder encoder = Encoder.load(model, threads.count(), batchSize);
        int limit = maxLength == null ? encoder.maxLength() : maxLength;
        try (Utf8LineReader in = new Utf8LineReader(System.in, "<stdin>");
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.next()) != null) {
                lines.add(line);
                if (lines.size() == batchSize) {
                    write(encoder.encode(lines, limit), json, out);
                    lines.clear();
                }
            }
            if (!lines.isEmpty()) {
                write(encoder.encode(lines, limit), json, out);
            }
        }
        return 0;
    }

    private static void write(List<EncodedText> texts, JsonGenerator json, Writer out) throws IOException {
        for (EncodedText text : texts) {
            json.writeStartObject();
            json.writeFieldName("input_ids");
            json.writeArray(text.inputIds(), 0, text.inputIds().length);
            json.writeArrayFieldStart("last_hidden_state");
            for (float[] token : text.lastHiddenState()) {
                json.writeStartArray();
                for (float v : token) {
                    json.writeNumber(v);
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("pooler_output");
            for (float v : text.poolerOutput()) {
                json.writeNumber(v);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.flush();
            out.write('\n');
        }
        out.flush();
    }
}
