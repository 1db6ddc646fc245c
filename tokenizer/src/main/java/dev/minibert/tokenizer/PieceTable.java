package dev.minibert.tokenizer;

import java.util.Arrays;

/**
 * Vocab lookup by a slice of a char array, so WordPiece's many trial substrings allocate nothing.
 * Word-initial pieces and {@code ##} continuations are keyed separately (a continuation is stored
 * without its {@code ##}). Open addressing, linear probing.
 */
final class PieceTable {
    static final String CONTINUATION = "##";

    private final char[] keys;
    private final int[] keyStart;
    private final int[] keyEnd;
    private final boolean[] continuation;
    private final int[] ids;
    private final int[] slots;
    private final int mask;
    private final int maxLength;
    private final int maxContinuationLength;

    PieceTable(Vocab vocab) {
        int n = vocab.size();
        int totalChars = 0;
        for (String t : vocab.tokens()) {
            totalChars += t.length();
        }
        keys = new char[totalChars];
        keyStart = new int[n];
        keyEnd = new int[n];
        continuation = new boolean[n];
        ids = new int[n];
        slots = new int[Integer.highestOneBit(Math.max(4, n * 2)) << 1];
        Arrays.fill(slots, -1);
        mask = slots.length - 1;
        int pos = 0;
        int longest = 0;
        int longestContinuation = 0;
        for (int id = 0; id < n; id++) {
            String token = vocab.token(id);
            boolean cont = token.length() > CONTINUATION.length() && token.startsWith(CONTINUATION);
            String key = cont ? token.substring(CONTINUATION.length()) : token;
            key.getChars(0, key.length(), keys, pos);
            keyStart[id] = pos;
            keyEnd[id] = pos + key.length();
            continuation[id] = cont;
            ids[id] = id;
            pos += key.length();
            if (cont) {
                longestContinuation = Math.max(longestContinuation, key.length());
            } else {
                longest = Math.max(longest, key.length());
            }
            int slot = hash(keys, keyStart[id], keyEnd[id], cont) & mask;
            while (slots[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id;
        }
        maxLength = longest;
        maxContinuationLength = longestContinuation;
    }

    /** The longest key (in chars) of the given kind, to bound the greedy search. */
    int maxLength(boolean cont) {
        return cont ? maxContinuationLength : maxLength;
    }

    /** The id of {@code s[from..to)} (as {@code ##s[from..to)} if {@code cont}), or -1. */
    int find(char[] s, int from, int to, boolean cont) {
        int slot = hash(s, from, to, cont) & mask;
        int len = to - from;
        while (true) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            if (continuation[id] == cont && keyEnd[id] - keyStart[id] == len
                    && Arrays.equals(keys, keyStart[id], keyEnd[id], s, from, to)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int hash(char[] s, int from, int to, boolean cont) {
        int h = cont ? 0x9E3779B9 : 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s[i];
        }
        return h ^ (h >>> 16) ^ (h >>> 7);
    }
}
