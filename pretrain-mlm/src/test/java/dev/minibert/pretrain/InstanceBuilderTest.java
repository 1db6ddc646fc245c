package dev.minibert.pretrain;

import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class InstanceBuilderTest {
    private static final int WORDS = 400;
    private static final Vocab VOCAB = vocab();
    private static final BertTokenizer TOKENIZER = new BertTokenizer(VOCAB, true);

    private static Vocab vocab() {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "play", "##ing"));
        for (int i = 0; i < WORDS; i++) {
            tokens.add("w" + i);
        }
        return Vocab.of(tokens);
    }

    /** A document of sentences of the given token counts, numbering words consecutively from firstWord. */
    private static List<String> document(int firstWord, int... sentenceLengths) {
        List<String> sentences = new ArrayList<>();
        int w = firstWord;
        for (int len : sentenceLengths) {
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < len; k++) {
                s.append(k == 0 ? "" : " ").append("w").append(w++);
            }
            sentences.add(s.toString());
        }
        return sentences;
    }

    private static int word(int id) {
        return Integer.parseInt(VOCAB.token(id).substring(1));
    }

    /** Word numbers of ids[from, to). */
    private static List<Integer> words(int[] ids, int from, int to) {
        return IntStream.range(from, to).map(t -> word(ids[t])).boxed().toList();
    }

    private static void assertConsecutive(List<Integer> words) {
        for (int k = 1; k < words.size(); k++) {
            assertThat(words.get(k)).as("contiguous text %s", words).isEqualTo(words.get(k - 1) + 1);
        }
    }

    @Test
    void withoutNextSentenceEachInstanceIsOneContiguousChunkUpToMaxLength() {
        // 10 sentences of 3 tokens, maxSeqLen 12 -> 10 tokens per instance: 4 sentences (12) truncated to 10
        InstanceBuilder builder = new InstanceBuilder(TOKENIZER, 12, 0.0, 1);
        List<Instance> out = builder.fromDocument(document(0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3));
        assertThat(out).hasSize(3);
        for (Instance inst : out) {
            int n = inst.length();
            assertThat(n).isLessThanOrEqualTo(12);
            assertThat(inst.inputIds()[0]).isEqualTo(VOCAB.clsId());
            assertThat(inst.inputIds()[n - 1]).isEqualTo(VOCAB.sepId());
            assertThat(inst.tokenTypeIds()).containsOnly(0);
            assertThat(inst.isRandomNext()).isFalse();
            assertConsecutive(words(inst.inputIds(), 1, n - 1));
        }
        assertThat(out.get(0).length()).isEqualTo(12);
        assertThat(out.get(1).length()).isEqualTo(12);
        // the last 2 sentences end the document: 6 tokens
        assertThat(out.get(2).length()).isEqualTo(8);
        assertThat(words(out.get(2).inputIds(), 1, 7)).containsExactly(24, 25, 26, 27, 28, 29);
    }

    @Test
    void sentencesLongerThanTheLimitAreSplitNotLost() {
        InstanceBuilder builder = new InstanceBuilder(TOKENIZER, 10, 0.0, 2);
        List<Instance> out = builder.fromDocument(document(0, 20));
        List<Integer> all = new ArrayList<>();
        for (Instance inst : out) {
            all.addAll(words(inst.inputIds(), 1, inst.length() - 1));
        }
        assertThat(all).isEqualTo(IntStream.range(0, 20).boxed().toList());
    }

    @Test
    void shortSeqProbPicksShorterTargetsUniformlyInTwoToMax() {
        // single-token sentences: the first instance of a document is exactly its target length
        int maxNumTokens = 10;
        int docs = 3000;
        double shortSeqProb = 0.2;
        InstanceBuilder builder = new InstanceBuilder(TOKENIZER, maxNumTokens + 2, shortSeqProb, 3);
        int[] sentenceLengths = new int[maxNumTokens + 2];
        Arrays.fill(sentenceLengths, 1);
        List<String> doc = document(0, sentenceLengths);
        int[] counts = new int[maxNumTokens + 1];
        for (int d = 0; d < docs; d++) {
            counts[builder.fromDocument(doc).get(0).length() - 2]++;
        }
        assertThat(counts[0]).isZero();
        assertThat(counts[1]).isZero();
        // target is max with probability 1 - p + p/9, every shorter length with p/9
        double pEach = shortSeqProb / (maxNumTokens - 1);
        double bound = 5 * Math.sqrt(pEach * (1 - pEach) / docs);
        for (int len = 2; len < maxNumTokens; len++) {
            assertThat((double) counts[len] / docs).as("length %d", len).isCloseTo(pEach, offset(bound));
        }
        double pMax = 1 - shortSeqProb + pEach;
        assertThat((double) counts[maxNumTokens] / docs).isCloseTo(pMax, offset(5 * Math.sqrt(pMax * (1 - pMax) / docs)));
    }

    @Test
    void nextSentencePairsHaveTypesAndRealOrRandomContinuations() {
        // 2-token sentences, maxSeqLen 11 -> 8 tokens: chunks of 4 sentences fit without truncation
        InstanceBuilder builder = new InstanceBuilder(TOKENIZER, 11, 0.0, true, 4);
        int instances = 0;
        int random = 0;
        for (int d = 0; d < 40; d++) {
            int first = d * 10;
            for (Instance inst : builder.fromDocument(document(first, 2, 2, 2, 2, 2))) {
                int n = inst.length();
                assertThat(n).isLessThanOrEqualTo(11);
                int sepA = Arrays.stream(inst.inputIds()).boxed().toList().indexOf(VOCAB.sepId());
                assertThat(inst.inputIds()[0]).isEqualTo(VOCAB.clsId());
                assertThat(inst.inputIds()[n - 1]).isEqualTo(VOCAB.sepId());
                assertThat(sepA).isBetween(2, n - 3);
                for (int t = 0; t < n; t++) {
                    assertThat(inst.tokenTypeIds()[t]).as("type at %d", t).isEqualTo(t <= sepA ? 0 : 1);
                }
                List<Integer> a = words(inst.inputIds(), 1, sepA);
                List<Integer> b = words(inst.inputIds(), sepA + 1, n - 1);
                assertThat(a).allMatch(w -> w >= first && w < first + 10);
                assertConsecutive(a);
                if (inst.isRandomNext()) {
                    random++;
                    if (d > 0) {
                        assertThat(b).allMatch(w -> w < first, "B from an earlier document");
                    }
                } else {
                    List<Integer> ab = new ArrayList<>(a);
                    ab.addAll(b);
                    assertConsecutive(ab);
                }
                instances++;
            }
        }
        // chunks of >= 2 sentences get a random B with probability 1/2 (one-sentence tails always do)
        assertThat(instances).isGreaterThan(60);
        assertThat((double) random / instances).isBetween(0.3, 0.8);
    }

    @Test
    void sameSeedSameInstancesDifferentSeedDifferent() {
        List<List<String>> docs = List.of(document(0, 3, 5, 2, 7, 1, 4), document(50, 6, 6, 6, 2), document(100, 9, 1, 3));
        assertThat(render(docs, 7)).isEqualTo(render(docs, 7)).isNotEqualTo(render(docs, 8));
    }

    private static List<String> render(List<List<String>> docs, long seed) {
        InstanceBuilder builder = new InstanceBuilder(TOKENIZER, 9, 0.5, true, seed);
        return docs.stream().flatMap(d -> builder.fromDocument(d).stream())
            .map(i -> Arrays.toString(i.inputIds()) + Arrays.toString(i.tokenTypeIds()) + i.isRandomNext())
            .collect(Collectors.toList());
    }

    @Test
    void wordStartMarksWordPieceContinuations() {
        Instance inst = new InstanceBuilder(TOKENIZER, 16, 0.0, 5).fromDocument(List.of("w1 playing w2")).get(0);
        assertThat(Arrays.stream(inst.inputIds()).mapToObj(VOCAB::token).toList())
            .containsExactly("[CLS]", "w1", "play", "##ing", "w2", "[SEP]");
        assertThat(inst.wordStart()).containsExactly(true, true, true, false, true, true);
    }

    @Test
    void wordStartFollowsJiebaWordsForChinese() {
        String sentence = "我们喜欢自然语言处理";
        ChineseWordSegmenter segmenter = new ChineseWordSegmenter();
        List<String> jiebaWords = segmenter.words(sentence);
        // what jieba actually returns decides the expectation; it must at least group some characters
        assertThat(String.join("", jiebaWords)).isEqualTo(sentence);
        assertThat(jiebaWords).hasSizeLessThan(sentence.length());
        List<Boolean> expected = new ArrayList<>(List.of(true));
        for (String w : jiebaWords) {
            expected.add(true);
            expected.addAll(Collections.nCopies(w.length() - 1, false));
        }
        expected.add(true);

        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        sentence.chars().distinct().forEach(c -> tokens.add(String.valueOf((char) c)));
        BertTokenizer chinese = new BertTokenizer(Vocab.of(tokens), true);
        Instance inst = new InstanceBuilder(chinese, segmenter, 32, 0.0, false, 6).fromDocument(List.of(sentence)).get(0);
        assertThat(inst.length()).isEqualTo(sentence.length() + 2);
        List<Boolean> actual = new ArrayList<>();
        for (boolean b : inst.wordStart()) {
            actual.add(b);
        }
        assertThat(actual).isEqualTo(expected);

        // whole-word masking over these instances masks jieba words as units
        MaskingCollator collator = new MaskingCollator(chinese.vocab(), 0.15, 10, true);
        for (long seed = 0; seed < 50; seed++) {
            Batch batch = collator.collate(List.of(inst), seed);
            List<Integer> rows = Arrays.stream(batch.maskedRows()).boxed().toList();
            int t = 1;
            for (String w : jiebaWords) {
                int hits = 0;
                for (int k = t; k < t + w.length(); k++) {
                    hits += rows.contains(k) ? 1 : 0;
                }
                assertThat(hits).as("word %s, seed %d", w, seed).isIn(0, w.length());
                t += w.length();
            }
        }
    }
}
