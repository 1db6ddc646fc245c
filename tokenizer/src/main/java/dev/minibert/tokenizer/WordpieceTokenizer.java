package dev.minibert.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy longest-match-first WordPiece: a word becomes the longest vocab prefix, then the longest
 * {@code ##}-continuation of the rest, and so on; a word with any unmatched rest, or longer than
 * {@code maxInputCharsPerWord} code points, becomes a single unknown token.
 */
public final class WordpieceTokenizer {
    public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

    private final Vocab vocab;
    private final PieceTable pieces;
    private final int unkId;
    private final int maxInputCharsPerWord;

    public WordpieceTokenizer(Vocab vocab, String unk, int maxInputCharsPerWord) {
        if (!vocab.contains(unk)) {
            throw new IllegalArgumentException("unknown token '" + unk + "' is not in the vocab");
        }
        if (maxInputCharsPerWord < 1) {
            throw new IllegalArgumentException("maxInputCharsPerWord must be >= 1, got " + maxInputCharsPerWord);
        }
        this.vocab = vocab;
        this.pieces = new PieceTable(vocab);
        this.unkId = vocab.id(unk);
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    public WordpieceTokenizer(Vocab vocab) {
        this(vocab, Vocab.UNK, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    /** Splits already pre-tokenized text on whitespace and returns the pieces, as Google's {@code tokenize}. */
    public List<String> tokenize(String text) {
        TokenBuffer out = new TokenBuffer();
        char[] chars = text.toCharArray();
        int i = 0;
        while (i < chars.length) {
            while (i < chars.length && Character.isWhitespace(chars[i])) {
                i++;
            }
            int from = i;
            while (i < chars.length && !Character.isWhitespace(chars[i])) {
                i++;
            }
            if (i > from) {
                int length = i - from;
                int[] starts = new int[length];
                int[] ends = new int[length];
                for (int k = 0; k < length; k++) {
                    starts[k] = from + k;
                    ends[k] = from + k + 1;
                }
                appendPieces(Arrays.copyOfRange(chars, from, i), starts, ends, length, out);
            }
        }
        List<String> tokens = new ArrayList<>(out.size);
        for (int k = 0; k < out.size; k++) {
            tokens.add(vocab.token(out.ids[k]));
        }
        return tokens;
    }

    /** Appends the pieces of {@code word[0..length)}; each piece spans its first char's start to its last char's end. */
    void appendPieces(char[] word, int[] starts, int[] ends, int length, TokenBuffer out) {
        int first = out.size;
        int whole0 = starts[0];
        int whole1 = ends[length - 1];
        if (Character.codePointCount(word, 0, length) > maxInputCharsPerWord) {
            out.add(unkId, whole0, whole1);
            return;
        }
        int start = 0;
        while (start < length) {
            boolean cont = start > 0;
            int end = Math.min(length, start + pieces.maxLength(cont));
            int id = -1;
            for (; end > start; end--) {
                // never cut a surrogate pair
                if (end < length && Character.isLowSurrogate(word[end])) {
                    continue;
                }
                id = pieces.find(word, start, end, cont);
                if (id >= 0) {
                    break;
                }
            }
            if (id < 0) {
                out.truncate(first);
                out.add(unkId, whole0, whole1);
                return;
            }
            out.add(id, starts[start], ends[end - 1]);
            start = end;
        }
    }
}
