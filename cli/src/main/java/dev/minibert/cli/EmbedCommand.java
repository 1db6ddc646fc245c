package dev.minibert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.minibert.model.BertModel;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import dev.minibert.tokenizer.Utf8LineReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Feature extraction like HF's BertModel: text lines in, hidden states and pooled output out as JSON lines. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Read UTF-8 lines on stdin; write JSON lines with input_ids, last_hidden_state [T][H], pooler_output [H].")
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (config.json, vocab.txt, model.safetensors)")
    Path model;

    @Option(names = "--max-length", description = "truncate to this many tokens (default: the model's max positions)")
    Integer maxLength;

    @Option(names = "--batch-size", defaultValue = "16", description = "lines per forward pass (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--threads", defaultValue = "2", description = "threads for the kernels and matrix products (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws IOException {
        Nd4jSetup.init(threads);
        ModelDirectory dir = ModelDirectory.open(model);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(dir.config(), store, "bert.", true);
        PretrainedWeights.load(dir, store, name -> name.startsWith("bert.pooler."), 42);
        BertTokenizer tokenizer = new BertTokenizer(dir.vocab(), dir.doLowerCase());
        int limit = maxLength == null ? dir.config().maxPositionEmbeddings : maxLength;
        EncodeOptions options = new EncodeOptions(limit, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.LONGEST);
        try (Utf8LineReader in = new Utf8LineReader(System.in, "<stdin>");
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.next()) != null) {
                lines.add(line);
                if (lines.size() == batchSize) {
                    embed(bert, tokenizer, options, lines, json, out);
                    lines.clear();
                }
            }
            if (!lines.isEmpty()) {
                embed(bert, tokenizer, options, lines, json, out);
            }
        }
        return 0;
    }

    private static void embed(BertModel bert, BertTokenizer tokenizer, EncodeOptions options, List<String> lines,
                              JsonGenerator json, Writer out) throws IOException {
        List<Encoding> batch = tokenizer.encodeBatch(lines, null, options);
        int[][] ids = new int[batch.size()][];
        int[][] types = new int[batch.size()][];
        int[][] mask = new int[batch.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).inputIds();
            types[i] = batch.get(i).tokenTypeIds();
            mask[i] = batch.get(i).attentionMask();
        }
        BertModel.Output output;
        try (BertModel.NoGrad noGrad = bert.noGrad()) {
            output = bert.forward(ids, types, mask, false);
        }
        INDArray hidden = output.lastHiddenState();
        INDArray pooled = output.poolerOutput();
        int h = (int) hidden.size(2);
        for (int b = 0; b < ids.length; b++) {
            int length = 0;
            while (length < mask[b].length && mask[b][length] == 1) {
                length++;
            }
            json.writeStartObject();
            json.writeFieldName("input_ids");
            json.writeArray(ids[b], 0, length);
            json.writeArrayFieldStart("last_hidden_state");
            for (int t = 0; t < length; t++) {
                json.writeStartArray();
                for (int k = 0; k < h; k++) {
                    json.writeNumber(hidden.getFloat(b, t, k));
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("pooler_output");
            for (int k = 0; k < h; k++) {
                json.writeNumber(pooled.getFloat(b, k));
            }
            json.writeEndArray();
            json.writeEndObject();
            json.flush();
            out.write('\n');
        }
        out.flush();
    }
}
