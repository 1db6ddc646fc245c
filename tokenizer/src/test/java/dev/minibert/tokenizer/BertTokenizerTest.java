package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BertTokenizerTest {
    private static final EncodeOptions.Truncation LONGEST_FIRST = EncodeOptions.Truncation.LONGEST_FIRST;

    /** ids: [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4, then the letters a..j as words. */
    private static final Vocab LETTERS = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "##s", "我", "爱", "北", "京", "。", "，", "2024", "年",
            "apple", "hello", "world", ",", "!", "don", "'", "t"));
    private final BertTokenizer tokenizer = new BertTokenizer(LETTERS, true);

    @Test
    void singleAndPairLayout() {
        Encoding single = tokenizer.encode("A b");
        assertThat(single.tokens()).containsExactly("[CLS]", "a", "b", "[SEP]");
        assertThat(single.inputIds()).containsExactly(2, 5, 6, 3);
        assertThat(single.tokenTypeIds()).containsExactly(0, 0, 0, 0);
        assertThat(single.attentionMask()).containsExactly(1, 1, 1, 1);
        assertThat(single.specialTokensMask()).containsExactly(1, 0, 0, 1);
        assertThat(single.offsets()).isDeepEqualTo(new int[][] {{0, 0}, {0, 1}, {2, 3}, {0, 0}});

        Encoding pair = tokenizer.encode("a", "cs d");
        assertThat(pair.tokens()).containsExactly("[CLS]", "a", "[SEP]", "c", "##s", "d", "[SEP]");
        assertThat(pair.tokenTypeIds()).containsExactly(0, 0, 0, 1, 1, 1, 1);
        assertThat(pair.specialTokensMask()).containsExactly(1, 0, 1, 0, 0, 0, 1);
        assertThat(pair.offsets()).isDeepEqualTo(new int[][] {{0, 0}, {0, 1}, {0, 0}, {0, 1}, {1, 2}, {3, 4}, {0, 0}});
    }

    @Test
    void longestFirstTakesFromTheLongerOneTokenAtATime() {
        String six = "a b c d e f";
        String two = "g h";
        // budget 7 - 3 = 4: the shorter keeps both, the longer gets the other 2
        assertThat(texts(tokenizer.encode(six, two, options(7)))).containsExactly("a b", "g h");
        assertThat(texts(tokenizer.encode(two, six, options(7)))).containsExactly("g h", "a b");
        // budget 5: both would need more than half; the longer (or, on a tie, the second) takes the odd token
        assertThat(texts(tokenizer.encode(six, "g h i", options(8)))).containsExactly("a b c", "g h");
        assertThat(texts(tokenizer.encode("a b c", "d e f", options(8)))).containsExactly("a b", "d e f");
        assertThat(texts(tokenizer.encode(six, null, options(4)))).containsExactly("a b");
    }

    @Test
    void longestFirstMatchesRemovingOneTokenFromTheLonger() {
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n1 = random.nextInt(9);
            int n2 = random.nextInt(9);
            int max = 3 + random.nextInt(12);
            List<String> got = texts(tokenizer.encode(letters(n1), letters(n2), options(max)));
            // the reference: drop one token at a time from the longer; on a tie from the one that was
            // shorter to begin with (a, if they began equal), so the longer keeps the odd token as in HF
            boolean firstWasShorter = n1 <= n2;
            int k1 = n1;
            int k2 = n2;
            while (k1 + k2 > max - 3) {
                if (k1 > k2 || (k1 == k2 && firstWasShorter)) {
                    k1--;
                } else {
                    k2--;
                }
            }
            assertThat(got).as("n1=%d n2=%d max=%d", n1, n2, max)
                    .containsExactly(letters(k1), letters(k2));
        }
    }

    @Test
    void onlyFirstAndOnlySecond() {
        EncodeOptions first = new EncodeOptions(7, EncodeOptions.Truncation.ONLY_FIRST, EncodeOptions.Padding.NONE);
        EncodeOptions second = new EncodeOptions(7, EncodeOptions.Truncation.ONLY_SECOND, EncodeOptions.Padding.NONE);
        assertThat(texts(tokenizer.encode("a b c d", "e f", first))).containsExactly("a b", "e f");
        assertThat(texts(tokenizer.encode("a b", "c d e f", second))).containsExactly("a b", "c d");
        assertThatThrownBy(() -> tokenizer.encode("a", "b c d e f", first))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ONLY_FIRST cannot reach maxLength 7");
        assertThatThrownBy(() -> tokenizer.encode("a b c d e f", null, second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a second text");
        assertThatThrownBy(() -> tokenizer.encode("a", "b", options(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold the 3 special tokens");
    }

    @Test
    void paddingToMaxLengthAndToLongest() {
        EncodeOptions pad = new EncodeOptions(6, EncodeOptions.Truncation.NONE, EncodeOptions.Padding.MAX_LENGTH);
        Encoding e = tokenizer.encode("a b", null, pad);
        assertThat(e.inputIds()).containsExactly(2, 5, 6, 3, 0, 0);
        assertThat(e.tokens()).containsExactly("[CLS]", "a", "b", "[SEP]", "[PAD]", "[PAD]");
        assertThat(e.attentionMask()).containsExactly(1, 1, 1, 1, 0, 0);
        assertThat(e.specialTokensMask()).containsExactly(1, 0, 0, 1, 1, 1);
        assertThat(e.offsets()[5]).containsExactly(0, 0);
        // without truncation a longer text stays whole
        assertThat(tokenizer.encode("a b c d e", null, pad).length()).isEqualTo(7);

        List<Encoding> batch = tokenizer.encodeBatch(List.of("a", "a b c", "a b"), List.of("d", "e", "f g"),
                new EncodeOptions(null, EncodeOptions.Truncation.NONE, EncodeOptions.Padding.LONGEST));
        assertThat(batch).extracting(Encoding::length).containsOnly(7);
        assertThat(batch.get(0).inputIds()).containsExactly(2, 5, 3, 8, 3, 0, 0);
        assertThat(batch.get(0).tokenTypeIds()).containsExactly(0, 0, 0, 1, 1, 0, 0);
        assertThat(batch.get(1).attentionMask()).containsExactly(1, 1, 1, 1, 1, 1, 1);

        List<Encoding> truncated = tokenizer.encodeBatch(List.of("a b c d e", "a"), null,
                new EncodeOptions(4, LONGEST_FIRST, EncodeOptions.Padding.LONGEST));
        assertThat(truncated.get(0).inputIds()).containsExactly(2, 5, 6, 3);
        assertThat(truncated.get(1).inputIds()).containsExactly(2, 5, 3, 0);
        assertThatThrownBy(() -> tokenizer.encodeBatch(List.of("a"), List.of(), EncodeOptions.NONE))
                .hasMessageContaining("1 first texts but 0 second texts");
    }

    @Test
    void decodeJoinsPiecesAndCjkAndCleansUpPunctuation() {
        assertThat(tokenizer.decode(tokenizer.encode("我爱北京。").inputIds(), true)).isEqualTo("我爱北京。");
        assertThat(tokenizer.decode(tokenizer.encode("我爱北京。").inputIds(), false)).isEqualTo("[CLS]我爱北京。[SEP]");
        assertThat(tokenizer.decode(tokenizer.encode("2024年 apple，hello").inputIds(), true))
                .isEqualTo("2024年apple，hello");
        assertThat(tokenizer.decode(tokenizer.encode("hello , world ! cs don't").inputIds(), true))
                .isEqualTo("hello, world! cs don't");
    }

    /** Chinese text in the vocab survives encode then decode, with control characters cleaned away. */
    @Test
    void chineseRoundTrip() {
        List<String> cjk = new ArrayList<>();
        for (String t : LETTERS.tokens()) {
            if (t.codePointCount(0, t.length()) == 1 && BertCharacters.isChineseChar(t.codePointAt(0))
                    || t.equals("，") || t.equals("。")) {
                cjk.add(t);
            }
        }
        Random random = new Random(3);
        for (int i = 0; i < 100; i++) {
            StringBuilder normalized = new StringBuilder();
            StringBuilder raw = new StringBuilder();
            for (int k = 1 + random.nextInt(20); k > 0; k--) {
                // digits only after a CJK character: "20242024" would be one word, and not in the vocab
                boolean digits = random.nextInt(5) == 0 && normalized.length() > 0
                        && BertCharacters.isChineseChar(normalized.codePointBefore(normalized.length()));
                String piece = digits ? "2024" : cjk.get(random.nextInt(cjk.size()));
                normalized.append(piece);
                raw.append(piece);
                if (random.nextInt(4) == 0) {
                    raw.append(random.nextBoolean() ? "\u0001" : "\u200B");
                }
            }
            assertThat(tokenizer.decode(tokenizer.encode(raw.toString()).inputIds(), true))
                    .as(raw.toString()).isEqualTo(normalized.toString());
        }
    }

    private static EncodeOptions options(int maxLength) {
        return new EncodeOptions(maxLength, LONGEST_FIRST, EncodeOptions.Padding.NONE);
    }

    private static String letters(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append((char) ('a' + i));
        }
        return s.toString();
    }

    /** The a and b parts of an encoding, tokens joined by spaces. */
    private static List<String> texts(Encoding e) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 1; i < e.length(); i++) {
            String t = e.tokens().get(i);
            if (t.equals("[SEP]")) {
                parts.add(current.toString());
                current.setLength(0);
            } else if (!t.equals("[PAD]")) {
                current.append(current.length() == 0 ? "" : " ").append(t);
            }
        }
        assertThat(Arrays.stream(e.inputIds()).filter(id -> id == 3).count()).isEqualTo(parts.size());
        return parts;
    }
}
