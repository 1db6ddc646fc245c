package dev.minibert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import dev.minibert.tokenizer.Utf8LineReader;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Reads UTF-8 lines on stdin and writes one JSON object per line (the encoding HF's tokenizer would give). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize UTF-8 lines from stdin into JSON lines (tokens, input_ids, token_type_ids, attention_mask, offsets).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--vocab", required = true, description = "vocab.txt (one token per line, id = line index)")
    Path vocab;

    @Option(names = "--lowercase", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "lower-case and strip accents before WordPiece (default: true)")
    boolean lowercase;

    @Option(names = "--max-seq-len", description = "truncate (longest_first) to this many tokens, specials included (default: no truncation)")
    Integer maxLength;

    /** The option's earlier name, kept working but out of --help: --max-seq-len is its name in every command. */
    @Option(names = "--max-length", hidden = true)
    void maxLength(int tokens) {
        maxLength = tokens;
    }

    @Option(names = "--pair", description = "each line is TEXT_A<TAB>TEXT_B")
    boolean pair;

    @Override
    public Integer call() throws IOException {
        BertTokenizer tokenizer = new BertTokenizer(Vocab.read(vocab), lowercase);
        EncodeOptions options = maxLength == null ? EncodeOptions.NONE
                : new EncodeOptions(maxLength, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.NONE);
        try (Utf8LineReader in = new Utf8LineReader(System.in, "<stdin>");
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            String line;
            while ((line = in.next()) != null) {
                Encoding e = encode(tokenizer, line, options, in.lineNumber());
                writeEncoding(json, e);
                json.flush();
                out.write('\n');
            }
        }
        return 0;
    }

    private Encoding encode(BertTokenizer tokenizer, String line, EncodeOptions options, int lineNo) {
        if (!pair) {
            return tokenizer.encode(line, null, options);
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw new IllegalArgumentException("<stdin>:" + lineNo + ": --pair expects TEXT_A<TAB>TEXT_B, found no tab");
        }
        return tokenizer.encode(line.substring(0, tab), line.substring(tab + 1), options);
    }

    private static void writeEncoding(JsonGenerator json, Encoding e) throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart("tokens");
        for (String t : e.tokens()) {
            json.writeString(t);
        }
        json.writeEndArray();
        writeInts(json, "input_ids", e.inputIds());
        writeInts(json, "token_type_ids", e.tokenTypeIds());
        writeInts(json, "attention_mask", e.attentionMask());
        writeInts(json, "special_tokens_mask", e.specialTokensMask());
        json.writeArrayFieldStart("offsets");
        for (int[] span : e.offsets()) {
            json.writeArray(span, 0, 2);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeInts(JsonGenerator json, String field, int[] values) throws IOException {
        json.writeFieldName(field);
        json.writeArray(values, 0, values.length);
    }
}
