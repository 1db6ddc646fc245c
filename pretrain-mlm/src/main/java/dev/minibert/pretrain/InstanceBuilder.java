package dev.minibert.pretrain;

import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Encoding;
import dev.minibert.tokenizer.Vocab;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Packs the tokenized sentences of a document into pretraining sequences, following
 * {@code create_instances_from_document} of Google's {@code create_pretraining_data.py}: per document a target length
 * of {@code maxNumTokens} ({@code maxSeqLen - 2}, or {@code - 3} with a B segment), or with probability
 * {@code shortSeqProb} a random length in [2, maxNumTokens]; sentences are accumulated until the target is reached
 * and the chunk is truncated to {@code maxNumTokens} by removing tokens at random from the front or back of the
 * longer segment ({@code truncate_seq_pair}).
 *
 * <p>Without next-sentence prediction (the default) the whole chunk is A: {@code [CLS] A [SEP]}. With it, A is a random
 * prefix of the chunk and B either the rest or (50%, or when the chunk has one sentence) text from another document.
 * Unlike Google, which holds the whole corpus in memory, "another document" is drawn from a bounded pool of recently
 * seen documents so the corpus can be streamed. Also unlike Google, a sentence longer than {@code maxNumTokens}
 * (typical for one-document-per-line corpora) is first split into pieces of {@code maxNumTokens} so nothing of it is lost.
 */
public final class InstanceBuilder {
    private static final int RANDOM_DOCUMENT_POOL = 256;

    private final BertTokenizer tokenizer;
    private final ChineseWordSegmenter segmenter;
    private final int maxSeqLen;
    private final double shortSeqProb;
    private final boolean nextSentence;
    private final Random rng;
    private final List<List<Segment>> recentDocuments = new ArrayList<>();

    /** A tokenized sentence (without specials), or a piece of one no longer than a sequence holds. */
    public record Segment(int[] ids, boolean[] wordStart) implements Serializable {
        int length() {
            return ids.length;
        }
    }

    /**
     * @param segmenter Chinese word boundaries for whole-word masking; null to use only {@code ##} continuations
     */
    public InstanceBuilder(BertTokenizer tokenizer, ChineseWordSegmenter segmenter, int maxSeqLen, double shortSeqProb,
                           boolean nextSentence, long seed) {
        int minLen = nextSentence ? 5 : 4;
        if (maxSeqLen < minLen) {
            throw new IllegalArgumentException("maxSeqLen " + maxSeqLen + " < " + minLen + ": no room for 2 tokens");
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new IllegalArgumentException("shortSeqProb " + shortSeqProb + " is not in [0, 1]");
        }
        this.tokenizer = tokenizer;
        this.segmenter = segmenter;
        this.maxSeqLen = maxSeqLen;
        this.shortSeqProb = shortSeqProb;
        this.nextSentence = nextSentence;
        this.rng = new Random(seed);
    }

    public InstanceBuilder(BertTokenizer tokenizer, int maxSeqLen, double shortSeqProb, boolean nextSentence, long seed) {
        this(tokenizer, null, maxSeqLen, shortSeqProb, nextSentence, seed);
    }

    /** Without next-sentence prediction. */
    public InstanceBuilder(BertTokenizer tokenizer, int maxSeqLen, double shortSeqProb, long seed) {
        this(tokenizer, null, maxSeqLen, shortSeqProb, false, seed);
    }

    /** The instances of one document (its sentences in order); empty for a document without tokens. */
    public List<Instance> fromDocument(List<String> sentences) {
        return fromTokenized(tokenize(sentences));
    }

    /**
     * The first half of {@link #fromDocument}, which draws no random numbers, so it may run anywhere (a Spark task
     * per corpus file): the document's sentences tokenized and cut into pieces a sequence holds.
     */
    public List<Segment> tokenize(List<String> sentences) {
        int maxNumTokens = maxNumTokens();
        List<Segment> document = new ArrayList<>();
        for (String sentence : sentences) {
            Segment s = tokenize(sentence);
            for (int from = 0; from < s.length(); from += maxNumTokens) {
                int to = Math.min(s.length(), from + maxNumTokens);
                document.add(new Segment(java.util.Arrays.copyOfRange(s.ids, from, to),
                    java.util.Arrays.copyOfRange(s.wordStart, from, to)));
            }
        }
        return document;
    }

    /** The second half of {@link #fromDocument}: packs a tokenized document, drawing from this builder's seeded random. */
    public List<Instance> fromTokenized(List<Segment> document) {
        int maxNumTokens = maxNumTokens();
        if (document.isEmpty()) {
            return List.of();
        }
        List<Instance> out = nextSentence ? withNextSentence(document, maxNumTokens) : singleSegment(document, maxNumTokens);
        if (nextSentence) {
            recentDocuments.add(document);
            if (recentDocuments.size() > RANDOM_DOCUMENT_POOL) {
                recentDocuments.remove(0);
            }
        }
        return out;
    }

    private int maxNumTokens() {
        return maxSeqLen - (nextSentence ? 3 : 2);
    }

    private int targetLength(int maxNumTokens) {
        return rng.nextDouble() < shortSeqProb ? 2 + rng.nextInt(maxNumTokens - 1) : maxNumTokens;
    }

    private List<Instance> singleSegment(List<Segment> document, int maxNumTokens) {
        List<Instance> out = new ArrayList<>();
        int target = targetLength(maxNumTokens);
        List<Segment> chunk = new ArrayList<>();
        int length = 0;
        for (int i = 0; i < document.size(); i++) {
            chunk.add(document.get(i));
            length += document.get(i).length();
            if (i == document.size() - 1 || length >= target) {
                Tokens a = Tokens.concat(chunk);
                truncatePair(a, new Tokens(), maxNumTokens);
                out.add(assemble(a, null, false));
                chunk.clear();
                length = 0;
            }
        }
        return out;
    }

    private List<Instance> withNextSentence(List<Segment> document, int maxNumTokens) {
        List<Instance> out = new ArrayList<>();
        int target = targetLength(maxNumTokens);
        List<Segment> chunk = new ArrayList<>();
        int length = 0;
        int i = 0;
        while (i < document.size()) {
            chunk.add(document.get(i));
            length += document.get(i).length();
            if (i == document.size() - 1 || length >= target) {
                int aEnd = chunk.size() >= 2 ? 1 + rng.nextInt(chunk.size() - 1) : 1;
                Tokens a = Tokens.concat(chunk.subList(0, aEnd));
                Tokens b;
                boolean randomNext = chunk.size() == 1 || rng.nextDouble() < 0.5;
                if (randomNext) {
                    b = randomContinuation(document, target - a.size());
                    // The unused sentences of this chunk go back into the document, as in Google's code.
                    i -= chunk.size() - aEnd;
                } else {
                    b = Tokens.concat(chunk.subList(aEnd, chunk.size()));
                }
                truncatePair(a, b, maxNumTokens);
                if (a.size() >= 1 && b.size() >= 1) {
                    out.add(assemble(a, b, randomNext));
                }
                chunk.clear();
                length = 0;
            }
            i++;
        }
        return out;
    }

    /** Sentences from a random recent document, starting at a random sentence, until targetLength tokens. */
    private Tokens randomContinuation(List<Segment> current, int targetLength) {
        List<Segment> other = recentDocuments.isEmpty()
            ? current : recentDocuments.get(rng.nextInt(recentDocuments.size()));
        List<Segment> picked = new ArrayList<>();
        int length = 0;
        for (int j = rng.nextInt(other.size()); j < other.size() && length < targetLength; j++) {
            picked.add(other.get(j));
            length += other.get(j).length();
        }
        return Tokens.concat(picked);
    }

    /** Google's truncate_seq_pair: shorten the longer segment, from the front or the back at random. */
    private void truncatePair(Tokens a, Tokens b, int maxNumTokens) {
        while (a.size() + b.size() > maxNumTokens) {
            Tokens longer = a.size() > b.size() ? a : b;
            int at = rng.nextDouble() < 0.5 ? 0 : longer.size() - 1;
            longer.ids.remove(at);
            longer.wordStart.remove(at);
        }
    }

    private Instance assemble(Tokens a, Tokens b, boolean randomNext) {
        Vocab vocab = tokenizer.vocab();
        int n = a.size() + 2 + (b == null ? 0 : b.size() + 1);
        int[] ids = new int[n];
        int[] types = new int[n];
        boolean[] wordStart = new boolean[n];
        int t = 0;
        ids[t] = vocab.clsId();
        wordStart[t++] = true;
        t = copy(a, ids, wordStart, t);
        ids[t] = vocab.sepId();
        wordStart[t++] = true;
        if (b != null) {
            int bStart = t;
            t = copy(b, ids, wordStart, t);
            ids[t] = vocab.sepId();
            wordStart[t++] = true;
            java.util.Arrays.fill(types, bStart, t, 1);
        }
        return new Instance(ids, types, wordStart, randomNext);
    }

    /** The first token of a segment always begins a word: truncation may have cut off the start of its word. */
    private static int copy(Tokens s, int[] ids, boolean[] wordStart, int at) {
        for (int k = 0; k < s.size(); k++) {
            ids[at] = s.ids.get(k);
            wordStart[at] = k == 0 || s.wordStart.get(k);
            at++;
        }
        return at;
    }

    private Segment tokenize(String sentence) {
        Encoding enc = tokenizer.encode(sentence);
        boolean[] starts = segmenter != null
            ? segmenter.wordStarts(sentence, enc.tokens(), enc.offsets())
            : continuationStarts(enc.tokens());
        int kept = 0;
        for (int m : enc.specialTokensMask()) {
            kept += m == 0 ? 1 : 0;
        }
        int[] ids = new int[kept];
        boolean[] wordStart = new boolean[kept];
        int k = 0;
        for (int i = 0; i < enc.inputIds().length; i++) {
            if (enc.specialTokensMask()[i] == 0) {
                ids[k] = enc.inputIds()[i];
                wordStart[k++] = starts[i];
            }
        }
        return new Segment(ids, wordStart);
    }

    private static boolean[] continuationStarts(List<String> tokens) {
        boolean[] starts = new boolean[tokens.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = !tokens.get(i).startsWith("##");
        }
        return starts;
    }

    /** A mutable token run, for truncation. */
    private static final class Tokens {
        final List<Integer> ids = new ArrayList<>();
        final List<Boolean> wordStart = new ArrayList<>();

        static Tokens concat(List<Segment> segments) {
            Tokens t = new Tokens();
            for (Segment s : segments) {
                for (int k = 0; k < s.length(); k++) {
                    t.ids.add(s.ids[k]);
                    t.wordStart.add(s.wordStart[k]);
                }
            }
            return t;
        }

        int size() {
            return ids.size();
        }
    }
}
