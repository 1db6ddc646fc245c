package dev.minibert.pretrain;

import dev.minibert.tokenizer.Vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Dynamic masking at batch time (RoBERTa-style: a fresh mask per step, reproducible from the seed the training loop
 * derives from run seed and step), with the selection rules of Google's {@code create_masked_lm_predictions}:
 * candidates are the non-special tokens (or whole words of them), shuffled; {@code round(maskProb * n)} tokens are
 * predicted (at least 1, at most {@code maxPredictionsPerSeq}), where n counts non-special tokens; a candidate word
 * that would overshoot the budget is skipped. Each chosen word is replaced by [MASK] (80%), a random non-special
 * token per position (10%) or left unchanged (10%), decided once per word as in Google's whole-word masking.
 * If every word is larger than the budget, the first shuffled word is masked, cut to the budget, so that each
 * sequence predicts something (the only case where part of a word is predicted).
 */
public final class MaskingCollator {
    private final Vocab vocab;
    private final double maskProb;
    private final int maxPredictionsPerSeq;
    private final boolean wholeWord;
    private final int[] replacementIds;

    public MaskingCollator(Vocab vocab, double maskProb, int maxPredictionsPerSeq, boolean wholeWord) {
        if (!(maskProb > 0 && maskProb < 1)) {
            throw new IllegalArgumentException("maskProb " + maskProb + " is not in (0, 1)");
        }
        if (maxPredictionsPerSeq < 1) {
            throw new IllegalArgumentException("maxPredictionsPerSeq " + maxPredictionsPerSeq + " < 1");
        }
        this.vocab = vocab;
        this.maskProb = maskProb;
        this.maxPredictionsPerSeq = maxPredictionsPerSeq;
        this.wholeWord = wholeWord;
        this.replacementIds = java.util.stream.IntStream.range(0, vocab.size()).filter(id -> !vocab.isSpecial(id)).toArray();
        if (replacementIds.length == 0) {
            throw new IllegalArgumentException("vocab has no non-special tokens to use as random replacements");
        }
    }

    /**
     * Whether {@code inst} has a token the masking may choose (one that is not [UNK] or special in {@code vocab}):
     * without one it contributes no prediction, whatever the masking settings.
     */
    public static boolean canMask(Instance inst, Vocab vocab) {
        for (int id : inst.inputIds()) {
            if (!vocab.isSpecial(id)) {
                return true;
            }
        }
        return false;
    }

    /** Masks and pads a batch; the same instances and seed always give the same batch. */
    public Batch collate(List<Instance> instances, long seed) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        Random rng = new Random(seed);
        int seqLen = instances.stream().mapToInt(Instance::length).max().orElseThrow();
        int batch = instances.size();
        int[][] ids = new int[batch][seqLen];
        int[][] types = new int[batch][seqLen];
        int[][] attention = new int[batch][seqLen];
        List<Integer> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            Instance inst = instances.get(b);
            int n = inst.length();
            Arrays.fill(ids[b], vocab.padId());
            System.arraycopy(inst.inputIds(), 0, ids[b], 0, n);
            System.arraycopy(inst.tokenTypeIds(), 0, types[b], 0, n);
            Arrays.fill(attention[b], 0, n, 1);
            boolean[] masked = mask(inst, ids[b], rng);
            for (int t = 0; t < n; t++) {
                if (masked[t]) {
                    rows.add(b * seqLen + t);
                    labels.add(inst.inputIds()[t]);
                }
            }
        }
        return new Batch(ids, types, attention, rows.stream().mapToInt(Integer::intValue).toArray(),
            labels.stream().mapToInt(Integer::intValue).toArray(), seqLen);
    }

    /** Masks one sequence in place (in {@code ids}); returns which positions are predicted. */
    private boolean[] mask(Instance inst, int[] ids, Random rng) {
        List<int[]> words = candidateWords(inst);
        Collections.shuffle(words, rng);
        int candidates = words.stream().mapToInt(w -> w.length).sum();
        int budget = Math.min(maxPredictionsPerSeq, Math.max(1, (int) Math.round(candidates * maskProb)));
        boolean[] masked = new boolean[inst.length()];
        List<int[]> chosen = new ArrayList<>();
        int count = 0;
        for (int[] word : words) {
            if (count >= budget) {
                break;
            }
            if (count + word.length <= budget) {
                chosen.add(word);
                count += word.length;
            }
        }
        if (chosen.isEmpty() && !words.isEmpty()) {
            chosen.add(Arrays.copyOf(words.get(0), budget));
        }
        for (int[] word : chosen) {
            double r = rng.nextDouble();
            for (int t : word) {
                masked[t] = true;
                if (r < 0.8) {
                    ids[t] = vocab.maskId();
                } else if (r < 0.9) {
                    ids[t] = replacementIds[rng.nextInt(replacementIds.length)];
                }
            }
        }
        return masked;
    }

    /** Positions of non-special tokens grouped into words (single tokens unless whole-word masking). */
    private List<int[]> candidateWords(Instance inst) {
        List<int[]> words = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int t = 0; t < inst.length(); t++) {
            boolean special = vocab.isSpecial(inst.inputIds()[t]);
            boolean starts = special || !wholeWord || inst.wordStart()[t];
            if (starts && !current.isEmpty()) {
                words.add(current.stream().mapToInt(Integer::intValue).toArray());
                current.clear();
            }
            if (!special) {
                current.add(t);
            }
        }
        if (!current.isEmpty()) {
            words.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
        return words;
    }
}
