package dev.minibert.pretrain;

import dev.minibert.tokenizer.Vocab;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MaskingCollatorTest {
    private static final int NON_SPECIAL = 50;
    private static final Vocab VOCAB = vocab();

    private static Vocab vocab() {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = 0; i < NON_SPECIAL; i++) {
            tokens.add("w" + i);
        }
        return Vocab.of(tokens);
    }

    /** [CLS] n random tokens [SEP], grouped by wordStart into words of 1-3 tokens (budget >= 3 keeps them whole). */
    private static Instance instance(int n, Random rng) {
        int[] ids = new int[n + 2];
        boolean[] starts = new boolean[n + 2];
        ids[0] = VOCAB.clsId();
        ids[n + 1] = VOCAB.sepId();
        starts[0] = starts[n + 1] = true;
        for (int t = 1; t <= n; t++) {
            ids[t] = VOCAB.id("w" + rng.nextInt(NON_SPECIAL));
            starts[t] = t == 1 || t >= 3 && !starts[t - 1] && !starts[t - 2] || rng.nextInt(3) == 0;
        }
        return new Instance(ids, new int[n + 2], starts, false);
    }

    private static List<Instance> instances(int count, int minLen, int maxLen, long seed) {
        Random rng = new Random(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(instance(minLen + rng.nextInt(maxLen - minLen + 1), rng));
        }
        return out;
    }

    /** |observed - p| within 5 binomial standard deviations. */
    private static void assertProportion(long hits, long trials, double p) {
        double bound = 5 * Math.sqrt(p * (1 - p) / trials);
        assertThat((double) hits / trials).as("%d / %d vs %f", hits, trials, p).isCloseTo(p,
            org.assertj.core.data.Offset.offset(bound));
    }

    @Test
    void predictsRoundedFifteenPercentOfNonSpecialTokensWithinLimits() {
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 5, false);
        List<Instance> batch = instances(300, 1, 60, 1);
        Batch out = collator.collate(batch, 7);
        int[] perSeq = new int[batch.size()];
        for (int row : out.maskedRows()) {
            perSeq[row / out.seqLen()]++;
        }
        for (int b = 0; b < batch.size(); b++) {
            int n = batch.get(b).length() - 2;
            assertThat(perSeq[b]).as("sequence %d of %d tokens", b, n)
                .isEqualTo(Math.min(5, Math.max(1, (int) Math.round(0.15 * n))));
        }
    }

    @Test
    void everyNonSpecialPositionIsPredictedWithProbabilityMaskProb() {
        // 20 non-special tokens -> exactly 3 predictions, so each position is chosen with p = 0.15
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 20, false);
        List<Instance> batch = instances(2000, 20, 20, 2);
        Batch out = collator.collate(batch, 3);
        long[] perPosition = new long[22];
        for (int row : out.maskedRows()) {
            perPosition[row % out.seqLen()]++;
        }
        assertThat(perPosition[0]).isZero();
        assertThat(perPosition[21]).isZero();
        for (int t = 1; t <= 20; t++) {
            assertProportion(perPosition[t], batch.size(), 0.15);
        }
    }

    @Test
    void replacementIsEightyTenTenAndLabelsAreTheOriginalIds() {
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 20, false);
        List<Instance> batch = instances(3000, 10, 30, 4);
        Batch out = collator.collate(batch, 5);
        long masks = 0;
        long randoms = 0;
        long unchanged = 0;
        for (int i = 0; i < out.maskedRows().length; i++) {
            int b = out.maskedRows()[i] / out.seqLen();
            int t = out.maskedRows()[i] % out.seqLen();
            int original = batch.get(b).inputIds()[t];
            assertThat(out.maskedLabels()[i]).isEqualTo(original);
            assertThat(VOCAB.isSpecial(original)).isFalse();
            int now = out.inputIds()[b][t];
            if (now == VOCAB.maskId()) {
                masks++;
            } else if (now == original) {
                unchanged++;
            } else {
                assertThat(VOCAB.isSpecial(now)).as("random replacement is never special").isFalse();
                randoms++;
            }
        }
        long n = out.maskedRows().length;
        assertThat(n).isGreaterThan(5000);
        assertProportion(masks, n, 0.8);
        // a random draw equal to the original token counts as unchanged
        assertProportion(randoms, n, 0.1 * (NON_SPECIAL - 1) / NON_SPECIAL);
        assertProportion(unchanged, n, 0.1 + 0.1 / NON_SPECIAL);
    }

    @Test
    void unpredictedPositionsKeepTheirIdsAndPaddingFillsToTheLongest() {
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 20, false);
        List<Instance> batch = instances(3, 2, 7, 6);
        Batch out = collator.collate(batch, 9);
        int longest = batch.stream().mapToInt(Instance::length).max().orElseThrow();
        assertThat(out.seqLen()).isEqualTo(longest);
        assertThat(out.maskedRows()).isSorted();
        for (int b = 0; b < batch.size(); b++) {
            Instance inst = batch.get(b);
            for (int t = 0; t < longest; t++) {
                boolean real = t < inst.length();
                assertThat(out.attentionMask()[b][t]).isEqualTo(real ? 1 : 0);
                if (!real) {
                    assertThat(out.inputIds()[b][t]).isEqualTo(VOCAB.padId());
                    assertThat(out.tokenTypeIds()[b][t]).isZero();
                } else if (Arrays.binarySearch(out.maskedRows(), b * out.seqLen() + t) < 0) {
                    assertThat(out.inputIds()[b][t]).isEqualTo(inst.inputIds()[t]);
                }
            }
        }
    }

    @Test
    void sameSeedSameMasksDifferentSeedDifferentMasks() {
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 20, true);
        List<Instance> batch = instances(8, 10, 30, 8);
        Batch a = collator.collate(batch, 42);
        Batch b = collator.collate(batch, 42);
        Batch c = collator.collate(batch, 43);
        assertThat(b.maskedRows()).isEqualTo(a.maskedRows());
        assertThat(b.inputIds()).isEqualTo(a.inputIds());
        assertThat(c.maskedRows()).isNotEqualTo(a.maskedRows());
    }

    @Test
    void wholeWordMaskingMasksWholeWordsWithOneDecisionPerWord() {
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 8, true);
        List<Instance> batch = instances(1500, 20, 40, 10);
        Batch out = collator.collate(batch, 11);
        boolean[][] masked = new boolean[batch.size()][out.seqLen()];
        for (int row : out.maskedRows()) {
            masked[row / out.seqLen()][row % out.seqLen()] = true;
        }
        long words = 0;
        long maskedWords = 0;
        for (int b = 0; b < batch.size(); b++) {
            Instance inst = batch.get(b);
            int count = 0;
            int t = 1;
            while (t < inst.length() - 1) {
                int end = t + 1;
                while (end < inst.length() - 1 && !inst.wordStart()[end]) {
                    end++;
                }
                int hits = 0;
                int maskTokens = 0;
                for (int k = t; k < end; k++) {
                    hits += masked[b][k] ? 1 : 0;
                    maskTokens += out.inputIds()[b][k] == VOCAB.maskId() ? 1 : 0;
                }
                assertThat(hits).as("word [%d, %d) of sequence %d", t, end, b).isIn(0, end - t);
                if (hits > 0) {
                    assertThat(maskTokens).as("one 80/10/10 decision per word").isIn(0, end - t);
                    words++;
                    maskedWords += maskTokens > 0 ? 1 : 0;
                }
                count += hits;
                t = end;
            }
            assertThat(count).isBetween(1, 8);
        }
        assertProportion(maskedWords, words, 0.8);
    }

    @Test
    void wholeWordBudgetSkipsWordsThatWouldOvershoot() {
        // 10 non-special tokens in two words of 5 and 5 single-token words: budget round(1.5) = 2, so the long
        // word can never be chosen and exactly two single tokens are predicted.
        int[] ids = new int[17];
        boolean[] starts = new boolean[17];
        Arrays.fill(starts, true);
        ids[0] = VOCAB.clsId();
        ids[16] = VOCAB.sepId();
        for (int t = 1; t <= 15; t++) {
            ids[t] = VOCAB.id("w" + t);
        }
        for (int t = 2; t <= 5; t++) {
            starts[t] = false;
        }
        Instance inst = new Instance(ids, new int[17], starts, false);
        MaskingCollator collator = new MaskingCollator(VOCAB, 0.15, 20, true);
        for (long seed = 0; seed < 200; seed++) {
            Batch out = collator.collate(List.of(inst), seed);
            assertThat(Arrays.stream(out.maskedRows()).boxed().toList()).hasSize(2).allMatch(r -> r >= 6 && r <= 15);
        }
    }

    @Test
    void aWordLongerThanTheBudgetIsCutSoTheSequenceStillPredictsSomething() {
        // one word of 12 tokens, budget min(3, round(1.8)) = 2: the word is cut to its first 2 tokens
        int[] ids = new int[14];
        boolean[] starts = new boolean[14];
        ids[0] = VOCAB.clsId();
        ids[13] = VOCAB.sepId();
        starts[0] = starts[1] = starts[13] = true;
        for (int t = 1; t <= 12; t++) {
            ids[t] = VOCAB.id("w" + t);
        }
        Batch out = new MaskingCollator(VOCAB, 0.15, 3, true).collate(List.of(new Instance(ids, new int[14], starts, false)), 1);
        assertThat(out.maskedRows()).containsExactly(1, 2);
    }
}
