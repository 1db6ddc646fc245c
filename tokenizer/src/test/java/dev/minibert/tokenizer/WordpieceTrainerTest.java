package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordpieceTrainerTest {
    @TempDir
    Path dir;

    /** HF's WordPiece course example: hug×10, pug×5, pun×12, bun×4, hugs×5, merged by hand. */
    @Test
    void mergesTheMostFrequentPairFirstAsComputedByHand() throws IOException {
        Path corpus = write("hug ".repeat(10) + "\n" + "pug ".repeat(5) + "\n" + "pun ".repeat(12) + "\n"
                + "bun ".repeat(4) + "\n" + "hugs ".repeat(5) + "\n");
        List<String> expected = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                "b", "g", "h", "n", "p", "s", "u",     // alphabet by code point
                "##u", "##n", "##g", "##s",            // continuations as first met in sorted words
                "##ug",  // (##u,##g) 20
                "##un",  // (##u,##n) 16
                "hug",   // (h,##ug) 15
                "pun",   // (p,##un) 12
                "pug",   // (p,##ug) 5 ties with (hug,##s) 5: lower ids first
                "hugs",  // (hug,##s) 5
                "bun");  // (b,##un) 4
        assertThat(new WordpieceTrainer(23, 1, 1000, true).train(List.of(corpus), b -> { }).tokens())
                .isEqualTo(expected);
        // min frequency 5 stops before bun; the size is then below the target
        assertThat(new WordpieceTrainer(23, 5, 1000, true).train(List.of(corpus), b -> { }).tokens())
                .isEqualTo(expected.subList(0, 22));
        // a smaller target stops exactly there
        assertThat(new WordpieceTrainer(19, 1, 1000, true).train(List.of(corpus), b -> { }).tokens())
                .isEqualTo(expected.subList(0, 19));
    }

    @Test
    void deterministicExactSizeAndUsableByTheTokenizer() throws IOException {
        Path a = write(String.join("\n", VariedText.lines(1, 300)));
        Path b = write(String.join("\n", VariedText.lines(2, 300)));
        WordpieceTrainer trainer = new WordpieceTrainer(400, 2, 200, true);
        Vocab first = trainer.train(List.of(a, b), x -> { });
        Vocab second = new WordpieceTrainer(400, 2, 200, true).train(List.of(a, b), x -> { });
        assertThat(first.tokens()).isEqualTo(second.tokens()).hasSize(400);
        assertThat(first.tokens().subList(0, 5)).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
        // every CJK character seen is a whole token, never a continuation (compatibility ideographs
        // such as U+F900 arrive in their NFD form)
        VariedText.CJK.codePoints().forEach(cp -> {
            String c = BasicTokenizer.lowerStripped(cp);
            assertThat(first.contains(c)).as(c).isTrue();
            assertThat(first.contains("##" + c)).as("##" + c).isFalse();
        });
        // on its own corpus the vocab spells every word whose characters all made the alphabet
        WordpieceTokenizer wordpiece = new WordpieceTokenizer(first);
        BasicTokenizer basic = new BasicTokenizer(true);
        int spelled = 0;
        int words = 0;
        for (String line : Files.readAllLines(a)) {
            for (String word : basic.tokenize(line)) {
                words++;
                boolean inAlphabet = word.codePoints().allMatch(cp -> first.contains(Character.toString(cp)));
                if (inAlphabet && word.codePointCount(0, word.length()) <= 100) {
                    assertThat(wordpiece.tokenize(word)).as(word).doesNotContain("[UNK]");
                    spelled++;
                }
            }
        }
        assertThat(spelled).isGreaterThan(words / 2);
    }

    @Test
    void alphabetLimitKeepsFrequentCharactersAndAllCjk() throws IOException {
        Path corpus = write("aaaa bbb cc d 中 文 字\n");
        Vocab vocab = new WordpieceTrainer(20, 1, 2, false).train(List.of(corpus), x -> { });
        assertThat(vocab.tokens().subList(5, 10)).containsExactly("a", "b", "中", "字", "文");
        assertThat(vocab.contains("c")).isFalse();
        assertThat(vocab.contains("d")).isFalse();
    }

    @Test
    void rejectsATargetBelowTheAlphabet() throws IOException {
        Path corpus = write("abcdefgh\n");
        assertThatThrownBy(() -> new WordpieceTrainer(10, 1, 100, true).train(List.of(corpus), x -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vocab size 10 is below the 20 tokens");
    }

    @Test
    void streamsAOneMegabyteLineAndReportsBytes() throws IOException {
        Path corpus = dir.resolve("big.txt");
        Random random = new Random(9);
        String[] words = {"我们", "的", "model", "训练", "data", "。", "tokenizer", "注意力"};
        try (OutputStream out = Files.newOutputStream(corpus)) {
            long written = 0;
            // as long a line as LineLimit allows by default (no word is 16 bytes long)
            while (written < LineLimit.DEFAULT_BYTES - 16) {
                byte[] w = (words[random.nextInt(words.length)] + " ").getBytes(StandardCharsets.UTF_8);
                out.write(w);
                written += w.length;
            }
        }
        AtomicLong seen = new AtomicLong();
        List<Long> reports = new ArrayList<>();
        Vocab vocab = new WordpieceTrainer(60, 2, 1000, true).train(List.of(corpus), bytes -> {
            reports.add(bytes);
            seen.set(bytes);
        });
        assertThat(seen.get()).isEqualTo(Files.size(corpus));
        assertThat(reports).isSorted();
        assertThat(vocab.tokens()).contains("model", "tokenizer", "data", "我", "注");
    }

    @Test
    void invalidUtf8NamesFileAndLine() throws IOException {
        Path corpus = dir.resolve("bad.txt");
        Files.write(corpus, new byte[] {'o', 'k', '\n', 'f', 'i', 'n', 'e', '\n', (byte) 0xFF, 'x', '\n'});
        assertThatThrownBy(() -> new WordpieceTrainer(50, 1, 100, true).train(List.of(corpus), x -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(corpus + ":3: invalid UTF-8");
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "corpus", ".txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
