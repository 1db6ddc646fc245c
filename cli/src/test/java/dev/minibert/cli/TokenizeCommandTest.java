package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import dev.minibert.tokenizer.Vocab;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code minibert tokenize}: stdin lines in, one JSON encoding per line out, exit codes 0/1/2. */
class TokenizeCommandTest {
    private static final List<String> TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "我", "爱", "北", "京", "hello", "world", "!", "un", "##want", "##ed");

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();
    private String stdout = "";

    private int run(byte[] stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = Minibert.commandLine();
            cl.setErr(new PrintWriter(err, true));
            return cl.execute(args);
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            stdout = out.toString(StandardCharsets.UTF_8);
        }
    }

    private Path vocab() throws IOException {
        Path file = dir.resolve("vocab.txt");
        Vocab.of(TOKENS).write(file);
        return file;
    }

    private List<JsonNode> lines() throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            nodes.add(new ObjectMapper().readTree(line));
        }
        return nodes;
    }

    @Test
    void writesTheTokenizersEncodingAsJsonLines() throws IOException {
        String input = "我爱北京 Hello unwanted!\nworld\n";
        assertThat(run(input.getBytes(StandardCharsets.UTF_8), "tokenize", "--vocab", vocab().toString())).isZero();
        List<JsonNode> out = lines();
        assertThat(out).hasSize(2);
        BertTokenizer tokenizer = new BertTokenizer(Vocab.of(TOKENS), true);
        Encoding expected = tokenizer.encode("我爱北京 Hello unwanted!");
        assertThat(ints(out.get(0).get("input_ids"))).containsExactly(expected.inputIds());
        assertThat(out.get(0).get("tokens").toString())
                .isEqualTo("[\"[CLS]\",\"我\",\"爱\",\"北\",\"京\",\"hello\",\"un\",\"##want\",\"##ed\",\"!\",\"[SEP]\"]");
        assertThat(out.get(0).get("offsets").get(5).toString()).isEqualTo("[5,10]");
        assertThat(ints(out.get(1).get("attention_mask"))).containsExactly(1, 1, 1);
        assertThat(ints(out.get(1).get("special_tokens_mask"))).containsExactly(1, 0, 1);
    }

    @Test
    void pairsAndTruncation() throws IOException {
        byte[] input = "我爱北京\thello world\n".getBytes(StandardCharsets.UTF_8);
        assertThat(run(input, "tokenize", "--vocab", vocab().toString(), "--pair", "--max-seq-len", "6")).isZero();
        assertPairTruncatedToSix();
    }

    @Test
    void theEarlierNameMaxLengthStillTruncates() throws IOException {
        byte[] input = "我爱北京\thello world\n".getBytes(StandardCharsets.UTF_8);
        assertThat(run(input, "tokenize", "--vocab", vocab().toString(), "--pair", "--max-length", "6")).isZero();
        assertPairTruncatedToSix();
    }

    private void assertPairTruncatedToSix() throws IOException {
        JsonNode e = lines().get(0);
        Encoding expected = new BertTokenizer(Vocab.of(TOKENS), true).encode("我爱北京", "hello world",
                new EncodeOptions(6, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.NONE));
        assertThat(ints(e.get("input_ids"))).containsExactly(expected.inputIds()).hasSize(6);
        assertThat(ints(e.get("token_type_ids"))).containsExactly(0, 0, 0, 0, 1, 1);
    }

    @Test
    void badInputExitsOneNamingTheLine() throws IOException {
        String vocab = vocab().toString();
        byte[] invalid = {'o', 'k', '\n', 'x', (byte) 0xC3, '(', '\n'};
        assertThat(run(invalid, "tokenize", "--vocab", vocab)).isEqualTo(1);
        assertThat(err.toString()).contains("<stdin>:2: invalid UTF-8");

        assertThat(run("a\tb\nno tab\n".getBytes(StandardCharsets.UTF_8), "tokenize", "--vocab", vocab, "--pair"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("<stdin>:2: --pair expects TEXT_A<TAB>TEXT_B");

        Path duplicate = dir.resolve("dup.txt");
        Files.writeString(duplicate, String.join("\n", TOKENS) + "\n我\n");
        assertThat(run(new byte[0], "tokenize", "--vocab", duplicate.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(duplicate + ":16: duplicate token '我'");

        assertThat(run(new byte[0], "tokenize", "--vocab", vocab, "--max-length", "x")).isEqualTo(2);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
