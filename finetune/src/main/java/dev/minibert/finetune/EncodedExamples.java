package dev.minibert.finetune;

import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import java.util.List;

/** Examples tokenized once ([CLS] a [SEP] (b [SEP]), truncated longest-first); batches are padded to their longest row. */
public final class EncodedExamples {
    /** One padded batch: [B,T] ids, token types and attention mask, and the gold labels. */
    public record Batch(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] labels) {
    }

    private final int[][] ids;
    private final int[][] types;
    private final int[] labels;
    private final int padId;

    public EncodedExamples(List<Example> examples, BertTokenizer tokenizer, int maxSeqLen) {
        EncodeOptions options = new EncodeOptions(maxSeqLen, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.NONE);
        int n = examples.size();
        ids = new int[n][];
        types = new int[n][];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            Example e = examples.get(i);
            Encoding enc = tokenizer.encode(e.textA(), e.textB(), options);
            ids[i] = enc.inputIds();
            types[i] = enc.tokenTypeIds();
            labels[i] = e.label();
        }
        padId = tokenizer.vocab().padId();
    }

    public int size() {
        return ids.length;
    }

    public int[] labels() {
        return labels.clone();
    }

    /** Tokens per example, [CLS] and [SEP]s included: the width of the padding it would need. */
    public int[] lengths() {
        int[] out = new int[ids.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids[i].length;
        }
        return out;
    }

    public Batch batch(int[] indices) {
        int t = 0;
        for (int i : indices) {
            t = Math.max(t, ids[i].length);
        }
        int[][] bIds = new int[indices.length][t];
        int[][] bTypes = new int[indices.length][t];
        int[][] bMask = new int[indices.length][t];
        int[] bLabels = new int[indices.length];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            java.util.Arrays.fill(bIds[r], padId);
            System.arraycopy(ids[i], 0, bIds[r], 0, ids[i].length);
            System.arraycopy(types[i], 0, bTypes[r], 0, types[i].length);
            java.util.Arrays.fill(bMask[r], 0, ids[i].length, 1);
            bLabels[r] = labels[i];
        }
        return new Batch(bIds, bTypes, bMask, bLabels);
    }

    /** Consecutive indices [from, to): evaluation batches in file order. */
    public Batch range(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return batch(idx);
    }
}
