package dev.minibert.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * BERT's pre-tokenization, as Google's {@code BasicTokenizer} and HF's BertNormalizer + BertPreTokenizer, in
 * Google's stages: (1) clean: drop NUL, U+FFFD and control characters; (2) isolate CJK ideographs; (3) split on
 * whitespace; (4) lower-case and strip accents (NFD, drop Mn) when asked; (5) split off punctuation. One driver
 * ({@link #split}) runs them fused, character by character. Every output character remembers the span of the
 * original character it came from, so token offsets point into the caller's string.
 * <p>
 * Never-split tokens (the specials such as {@code [MASK]}) are cut out of the raw text wherever they occur,
 * before normalization, as HF does with its added tokens. Thread-safe.
 */
public final class BasicTokenizer {
    /** Receives words: {@code chars[0..length)} with per-char original spans {@code [starts[i], ends[i])}. */
    interface WordSink {
        void word(char[] chars, int[] starts, int[] ends, int length, boolean neverSplit);
    }

    // what the stages make of each ASCII character: dropped by the clean, a whitespace split, a punctuation split, or
    // joining the word (no ASCII character is a CJK ideograph or has an accent)
    private static final byte OTHER = 0;
    private static final byte SPACE = 1;
    private static final byte DROP = 2;
    private static final byte PUNCT = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = !clean(c) ? DROP : BertCharacters.isWhitespace(c) ? SPACE
                    : BertCharacters.isPunctuation(c) ? PUNCT : OTHER;
        }
    }

    /** Lower-cased, accent-stripped form of each BMP char, filled on first use (Strings publish safely). */
    private static final String[] LOWER_STRIPPED = new String[1 << 16];

    private final boolean lowercase;
    private final String[] neverSplit;
    private final boolean[] neverSplitFirstChar = new boolean[1 << 16];

    public BasicTokenizer(boolean lowercase, Set<String> neverSplit) {
        this.lowercase = lowercase;
        // longest first, so that "[MASK]x" style prefixes cannot shadow a longer special
        this.neverSplit = neverSplit.stream().filter(s -> !s.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toArray(String[]::new);
        for (String s : this.neverSplit) {
            neverSplitFirstChar[s.charAt(0)] = true;
        }
    }

    public BasicTokenizer(boolean lowercase) {
        this(lowercase, Set.of());
    }

    public boolean lowercase() {
        return lowercase;
    }

    /** The words of {@code text}, as Google's {@code BasicTokenizer.tokenize}. */
    public List<String> tokenize(String text) {
        List<String> words = new ArrayList<>();
        tokenize(text, (chars, starts, ends, length, special) -> words.add(new String(chars, 0, length)));
        return words;
    }

    void tokenize(String text, WordSink sink) {
        Word word = new Word();
        int segment = 0;
        if (neverSplit.length > 0) {
            for (int i = 0; i < text.length(); i++) {
                if (!neverSplitFirstChar[text.charAt(i)]) {
                    continue;
                }
                for (String special : neverSplit) {
                    if (text.startsWith(special, i)) {
                        split(text, segment, i, word, sink);
                        for (int k = 0; k < special.length(); k++) {
                            word.append(special.charAt(k), i, i + special.length());
                        }
                        word.flush(sink, true);
                        i += special.length() - 1;
                        segment = i + 1;
                        break;
                    }
                }
            }
        }
        split(text, segment, text.length(), word, sink);
    }

    /**
     * Google's stages over {@code text[from, to)}, fused into one pass: each character goes through all of them in
     * order before the next is read, so no stage builds an intermediate string. An ASCII character takes the
     * stages' combined answer from a table.
     */
    private void split(String text, int from, int to, Word word, WordSink sink) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c < 128) {
                ascii(c, i, word, sink);
                i++;
                continue;
            }
            int cp = text.codePointAt(i);
            int end = i + Character.charCount(cp);
            // the classes are disjoint (no ideograph or whitespace is cleaned away), so the commonest is asked first
            if (BertCharacters.isChineseChar(cp)) {
                isolateChinese(cp, i, end, word, sink);
            } else if (BertCharacters.isWhitespace(cp)) {
                word.flush(sink, false); // stage 3, the whitespace split
            } else if (clean(cp)) {
                lowerStripAccents(cp, i, end, word, sink);
            }
            i = end;
        }
        word.flush(sink, false);
    }

    /** The five stages for an ASCII character: no accents, lower-casing is A-Z only; the rest is the table's. */
    private void ascii(char c, int i, Word word, WordSink sink) {
        switch (ASCII[c]) {
            case OTHER -> word.append(lowercase && c >= 'A' && c <= 'Z' ? (char) (c + 32) : c, i, i + 1);
            case SPACE -> word.flush(sink, false);
            case PUNCT -> splitOnPunctuation(c, i, i + 1, word, sink);
            default -> {
            }
        }
    }

    /** Stage 1, {@code _clean_text}: NUL, U+FFFD and control characters are dropped (false). */
    private static boolean clean(int cp) {
        return cp != 0 && cp != 0xFFFD && !BertCharacters.isControl(cp);
    }

    /** Stage 2, {@code _tokenize_chinese_chars}: a CJK ideograph is a word of its own. */
    private void isolateChinese(int cp, int start, int end, Word word, WordSink sink) {
        word.flush(sink, false);
        lowerStripAccents(cp, start, end, word, sink);
        word.flush(sink, false);
    }

    /**
     * Stage 4, {@code lower()} and {@code _run_strip_accents} when lower-casing: {@code cp} becomes zero or more
     * characters, each passed on to the punctuation split.
     */
    private void lowerStripAccents(int cp, int start, int end, Word word, WordSink sink) {
        if (!lowercase) {
            splitOnPunctuation(cp, start, end, word, sink);
            return;
        }
        String normalized = lowerStripped(cp);
        for (int k = 0; k < normalized.length(); ) {
            int n = normalized.codePointAt(k);
            splitOnPunctuation(n, start, end, word, sink);
            k += Character.charCount(n);
        }
    }

    /** Stage 5, {@code _run_split_on_punc}: a punctuation character is a word of its own; any other joins the word. */
    private static void splitOnPunctuation(int cp, int start, int end, Word word, WordSink sink) {
        boolean punct = BertCharacters.isPunctuation(cp);
        if (punct) {
            word.flush(sink, false);
        }
        if (Character.isBmpCodePoint(cp)) {
            word.append((char) cp, start, end);
        } else {
            word.append(Character.highSurrogate(cp), start, end);
            word.append(Character.lowSurrogate(cp), start, end);
        }
        if (punct) {
            word.flush(sink, false);
        }
    }

    static String lowerStripped(int cp) {
        if (cp < LOWER_STRIPPED.length) {
            String cached = LOWER_STRIPPED[cp];
            if (cached == null) {
                cached = computeLowerStripped(cp);
                LOWER_STRIPPED[cp] = cached;
            }
            return cached;
        }
        return computeLowerStripped(cp);
    }

    /** Per-character full lower-casing (no final-sigma context, like HF), then NFD without Mn marks. */
    private static String computeLowerStripped(int cp) {
        String lower = cp == 0x130 ? "i\u0307" : new String(Character.toChars(Character.toLowerCase(cp)));
        String nfd = Normalizer.normalize(lower, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        nfd.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** The word being built, reused across words of one call. */
    private static final class Word {
        char[] chars = new char[32];
        int[] starts = new int[32];
        int[] ends = new int[32];
        int length;

        void append(char c, int start, int end) {
            if (length == chars.length) {
                chars = Arrays.copyOf(chars, length * 2);
                starts = Arrays.copyOf(starts, length * 2);
                ends = Arrays.copyOf(ends, length * 2);
            }
            chars[length] = c;
            starts[length] = start;
            ends[length] = end;
            length++;
        }

        void flush(WordSink sink, boolean neverSplit) {
            if (length > 0) {
                sink.word(chars, starts, ends, length, neverSplit);
                length = 0;
            }
        }
    }
}
