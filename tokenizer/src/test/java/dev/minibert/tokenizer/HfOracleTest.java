package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Our encodings against HF tokenizers' on varied text: ids, token types, special masks and offsets. */
class HfOracleTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "lowercase={0}")
    @ValueSource(booleans = {true, false})
    void smallVocabSingleAndPair(boolean lowercase) throws IOException {
        Vocab vocab = VariedText.smallVocab();
        try (HfOracle hf = new HfOracle(HfOracle.writeTokenizerJson(vocab, lowercase, dir))) {
            assertSameEncodings(new BertTokenizer(vocab, lowercase), hf, VariedText.lines(lowercase ? 11 : 12, 600));
        }
    }

    @Test
    void bertBaseChineseVocab() throws IOException {
        assumeTrue(Files.exists(HfOracle.BGE_JAR), "bge-small-zh jar not in ~/.m2: " + HfOracle.BGE_JAR);
        Path json = HfOracle.extractBgeTokenizerJson(dir);
        Vocab vocab = HfOracle.vocabOf(json);
        assertThat(vocab.size()).isEqualTo(21128);
        assertThat(new int[] {vocab.padId(), vocab.unkId(), vocab.clsId(), vocab.sepId(), vocab.maskId()})
                .containsExactly(0, 100, 101, 102, 103);
        // the shipped tokenizer.json (cased), and the same vocab lower-cased as bert-base-chinese is used
        try (HfOracle hf = new HfOracle(json)) {
            assertSameEncodings(new BertTokenizer(vocab, false), hf, VariedText.lines(21, 400));
        }
        try (HfOracle hf = new HfOracle(HfOracle.writeTokenizerJson(vocab, true, dir))) {
            assertSameEncodings(new BertTokenizer(vocab, true), hf, VariedText.lines(22, 400));
        }
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"LONGEST_FIRST, 7", "LONGEST_FIRST, 12", "LONGEST_FIRST, 3", "ONLY_FIRST, 12", "ONLY_SECOND, 12"})
    void truncationOfPairs(EncodeOptions.Truncation truncation, int maxLength) throws IOException {
        Vocab vocab = VariedText.smallVocab();
        Path json = HfOracle.writeTokenizerJson(vocab, true, dir);
        BertTokenizer ours = new BertTokenizer(vocab, true);
        EncodeOptions options = new EncodeOptions(maxLength, truncation, EncodeOptions.Padding.NONE);
        try (HfOracle hf = new HfOracle(json, maxLength, truncation.name().toLowerCase())) {
            Random random = new Random(31);
            int compared = 0;
            for (int i = 0; i < 150; i++) {
                String a = VariedText.line(random);
                String b = VariedText.line(random);
                Encoding mine;
                try {
                    mine = ours.encode(a, b, options);
                } catch (IllegalArgumentException impossible) {
                    // HF logs and gives up truncating in the same cases: both must say it cannot be done
                    assertThat(impossible).hasMessageContaining("cannot");
                    continue;
                }
                assertSame(mine, hf.encode(a, b), a + " || " + b);
                compared++;
            }
            assertThat(compared).isGreaterThan(20);
        }
    }

    /**
     * Outside CJK our decode is HF's WordPiece decoder. Apostrophes are left out: HF's Rust decoder cleans
     * up token by token and keeps "don ' t", where transformers' clean_up_tokenization (and ours) gives "don't".
     */
    @Test
    void decodeMatchesHfOnLatinText() throws IOException {
        Vocab vocab = VariedText.smallVocab();
        BertTokenizer ours = new BertTokenizer(vocab, true);
        List<String> words = new ArrayList<>();
        for (String w : VariedText.LATIN) {
            if (w.chars().allMatch(c -> c < 128 && c != '\'')) {
                words.add(w);
            }
        }
        for (String p : List.of(".", ",", "!", "?", "-", "(", ")", "$", "#", "##", "42", "3.14", "10,000")) {
            words.add(p);
        }
        try (HfOracle hf = new HfOracle(HfOracle.writeTokenizerJson(vocab, true, dir))) {
            Random random = new Random(17);
            for (int i = 0; i < 300; i++) {
                StringBuilder line = new StringBuilder();
                for (int k = 1 + random.nextInt(12); k > 0; k--) {
                    line.append(words.get(random.nextInt(words.size()))).append(random.nextInt(3) == 0 ? "" : " ");
                }
                int[] ids = ours.encode(line.toString(), "and " + line).inputIds();
                for (boolean skip : new boolean[] {true, false}) {
                    assertThat(ours.decode(ids, skip)).as(line.toString()).isEqualTo(hf.decode(ids, skip));
                }
            }
        }
    }

    private static void assertSameEncodings(BertTokenizer ours, HfOracle hf, List<String> lines) {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String a = lines.get(i);
            String b = lines.get(i + 1);
            compare(ours.encode(a), hf.encode(a, null), a, differences);
            if (i % 4 == 0) {
                compare(ours.encode(a, b), hf.encode(a, b), a + " || " + b, differences);
            }
        }
        assertThat(differences).isEmpty();
    }

    private static void compare(Encoding mine, Encoding theirs, String text, List<String> differences) {
        if (!same(mine, theirs)) {
            differences.add(describe(text, mine, theirs));
        }
    }

    private static void assertSame(Encoding mine, Encoding theirs, String text) {
        assertThat(same(mine, theirs)).as(() -> describe(text, mine, theirs)).isTrue();
    }

    private static boolean same(Encoding mine, Encoding theirs) {
        return Arrays.equals(mine.inputIds(), theirs.inputIds())
                && Arrays.equals(mine.tokenTypeIds(), theirs.tokenTypeIds())
                && Arrays.equals(mine.attentionMask(), theirs.attentionMask())
                && Arrays.equals(mine.specialTokensMask(), theirs.specialTokensMask())
                && Arrays.deepEquals(mine.offsets(), theirs.offsets());
    }

    private static String describe(String text, Encoding mine, Encoding theirs) {
        return "\ntext " + escape(text) + "\n ours " + mine.tokens() + " " + Arrays.deepToString(mine.offsets())
                + " special " + Arrays.toString(mine.specialTokensMask())
                + "\n hf   " + theirs.tokens() + " " + Arrays.deepToString(theirs.offsets())
                + " special " + Arrays.toString(theirs.specialTokensMask());
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.UNASSIGNED || Character.getType(cp) == Character.SURROGATE) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
