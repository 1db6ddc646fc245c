package dev.minibert.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Learns a WordPiece vocab the way HF tokenizers' WordPieceTrainer does: count the words that
 * {@link BasicTokenizer} produces, take an alphabet of the most frequent characters (plus every CJK
 * character seen), spell each word as its first character followed by {@code ##}-continuation
 * characters, then repeatedly merge the most frequent adjacent pair until the vocab is full or no pair
 * is frequent enough. The vocab starts with {@code [PAD] [UNK] [CLS] [SEP] [MASK]}.
 * <p>
 * Deterministic: words are visited in sorted order, alphabet ties keep the lower code point, and pair
 * ties merge the pair of lower ids first.
 */
public final class WordpieceTrainer {
    private final int vocabSize;
    private final int minFrequency;
    private final int limitAlphabet;
    private final BasicTokenizer basic;

    public WordpieceTrainer(int vocabSize, int minFrequency, int limitAlphabet, boolean lowercase) {
        if (vocabSize < Vocab.SPECIAL_TOKENS.size()) {
            throw new IllegalArgumentException("vocabSize must be >= " + Vocab.SPECIAL_TOKENS.size() + ", got " + vocabSize);
        }
        if (minFrequency < 1 || limitAlphabet < 0) {
            throw new IllegalArgumentException("minFrequency must be >= 1 and limitAlphabet >= 0, got "
                    + minFrequency + " and " + limitAlphabet);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        this.limitAlphabet = limitAlphabet;
        this.basic = new BasicTokenizer(lowercase);
    }

    /** Trains on UTF-8 text files read line by line; {@code bytesRead} hears the running byte count. */
    public Vocab train(List<Path> files, LongConsumer bytesRead) throws IOException {
        Map<String, long[]> wordCounts = countWords(files, bytesRead);
        List<String> vocab = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        for (int cp : alphabet(wordCounts)) {
            addToken(new String(Character.toChars(cp)), vocab, ids);
        }
        String[] words = wordCounts.keySet().toArray(new String[0]);
        Arrays.sort(words);
        int[][] symbols = new int[words.length][];
        long[] counts = new long[words.length];
        for (int w = 0; w < words.length; w++) {
            symbols[w] = spell(words[w], vocab, ids);
            counts[w] = wordCounts.get(words[w])[0];
        }
        if (vocab.size() > vocabSize) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is below the " + vocab.size()
                    + " tokens the corpus needs before any merge (specials, alphabet and ##-continuation characters);"
                    + " raise the vocab size or lower the alphabet limit");
        }
        new Merger(symbols, counts, vocab, ids).run();
        return Vocab.of(vocab);
    }

    private Map<String, long[]> countWords(List<Path> files, LongConsumer bytesRead) throws IOException {
        Map<String, long[]> counts = new HashMap<>();
        BasicTokenizer.WordSink sink = (chars, starts, ends, length, special) ->
                counts.computeIfAbsent(new String(chars, 0, length), k -> new long[1])[0]++;
        long done = 0;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file);
                 Utf8LineReader lines = new Utf8LineReader(in, file.toString())) {
                String line;
                long reported = 0;
                while ((line = lines.next()) != null) {
                    basic.tokenize(line, sink);
                    if (lines.bytesRead() != reported) {
                        reported = lines.bytesRead();
                        bytesRead.accept(done + reported);
                    }
                }
                done += lines.bytesRead();
            }
        }
        return counts;
    }

    /** The {@code limitAlphabet} most frequent characters plus every CJK character, by code point. */
    private int[] alphabet(Map<String, long[]> wordCounts) {
        Map<Integer, long[]> charCounts = new HashMap<>();
        wordCounts.forEach((word, count) -> word.codePoints()
                .forEach(cp -> charCounts.computeIfAbsent(cp, k -> new long[1])[0] += count[0]));
        List<Integer> byFrequency = new ArrayList<>(charCounts.keySet());
        byFrequency.sort(Comparator.<Integer>comparingLong(cp -> -charCounts.get(cp)[0]).thenComparing(cp -> cp));
        Set<Integer> kept = new HashSet<>(byFrequency.subList(0, Math.min(limitAlphabet, byFrequency.size())));
        for (int cp : byFrequency) {
            if (BertCharacters.isChineseChar(cp)) {
                kept.add(cp);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** First character as itself, the rest as {@code ##c}; characters outside the alphabet are left out. */
    private static int[] spell(String word, List<String> vocab, Map<String, Integer> ids) {
        int[] out = new int[word.length()];
        int n = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String c = new String(Character.toChars(cp));
            if (ids.containsKey(c)) {
                out[n++] = addToken(i == 0 ? c : PieceTable.CONTINUATION + c, vocab, ids);
            }
            i += Character.charCount(cp);
        }
        return Arrays.copyOf(out, n);
    }

    private static int addToken(String token, List<String> vocab, Map<String, Integer> ids) {
        Integer id = ids.get(token);
        if (id != null) {
            return id;
        }
        vocab.add(token);
        ids.put(token, vocab.size() - 1);
        return vocab.size() - 1;
    }

    /** BPE merges over the spelled words; a pair is two symbol ids packed in a long. */
    private final class Merger {
        private final int[][] words;
        private final long[] counts;
        private final List<String> vocab;
        private final Map<String, Integer> ids;
        private final Map<Long, long[]> pairCounts = new HashMap<>();
        private final Map<Long, Set<Integer>> where = new HashMap<>();
        /** Entries {count, pair}: highest count first, then the pair of lowest ids. */
        private final PriorityQueue<long[]> queue = new PriorityQueue<>(
                Comparator.<long[]>comparingLong(e -> -e[0]).thenComparingLong(e -> e[1]));

        Merger(int[][] words, long[] counts, List<String> vocab, Map<String, Integer> ids) {
            this.words = words;
            this.counts = counts;
            this.vocab = vocab;
            this.ids = ids;
        }

        void run() {
            for (int w = 0; w < words.length; w++) {
                for (int i = 0; i + 1 < words[w].length; i++) {
                    change(pair(words[w][i], words[w][i + 1]), counts[w], w);
                }
            }
            // TreeMap: a fixed push order, though the queue order alone already decides
            new TreeMap<>(pairCounts).forEach((pair, count) -> queue.add(new long[] {count[0], pair}));
            while (vocab.size() < vocabSize && !queue.isEmpty()) {
                long[] top = queue.poll();
                long pair = top[1];
                long[] current = pairCounts.get(pair);
                long count = current == null ? 0 : current[0];
                if (count != top[0]) {
                    if (count > 0) {
                        queue.add(new long[] {count, pair});
                    }
                    continue;
                }
                if (count < minFrequency) {
                    break;
                }
                merge(pair);
            }
        }

        private void merge(long pair) {
            int a = (int) (pair >>> 32);
            int b = (int) pair;
            String right = vocab.get(b);
            if (right.startsWith(PieceTable.CONTINUATION)) {
                right = right.substring(PieceTable.CONTINUATION.length());
            }
            int merged = addToken(vocab.get(a) + right, vocab, ids);
            Set<Long> touched = new HashSet<>();
            Integer[] positions = where.get(pair).toArray(new Integer[0]);
            Arrays.sort(positions);
            for (int w : positions) {
                int[] s = words[w];
                int n = 0;
                int[] out = new int[s.length];
                for (int i = 0; i < s.length; i++) {
                    if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                        if (n > 0) {
                            touched.add(change(pair(out[n - 1], a), -counts[w], w));
                            touched.add(change(pair(out[n - 1], merged), counts[w], w));
                        }
                        if (i + 2 < s.length) {
                            // the right neighbour's old pair (b, next) goes; (merged, next) comes
                            touched.add(change(pair(b, s[i + 2]), -counts[w], w));
                            touched.add(change(pair(merged, s[i + 2]), counts[w], w));
                        }
                        out[n++] = merged;
                        i++;
                    } else {
                        out[n++] = s[i];
                    }
                }
                words[w] = Arrays.copyOf(out, n);
            }
            // the merged pair is gone everywhere (with a == b the loop above counted it down, not out)
            pairCounts.remove(pair);
            where.remove(pair);
            touched.remove(pair);
            for (long p : touched) {
                long[] c = pairCounts.get(p);
                if (c != null && c[0] > 0) {
                    queue.add(new long[] {c[0], p});
                }
            }
        }

        private long change(long pair, long delta, int word) {
            long[] c = pairCounts.computeIfAbsent(pair, k -> new long[1]);
            c[0] += delta;
            if (delta > 0) {
                where.computeIfAbsent(pair, k -> new HashSet<>()).add(word);
            }
            return pair;
        }

        private long pair(int a, int b) {
            return ((long) a << 32) | (b & 0xFFFFFFFFL);
        }
    }
}
