package dev.minibert.pretrain;

import com.huaban.analysis.jieba.JiebaSegmenter;

import java.util.List;

/**
 * Word boundaries for whole-word masking of Chinese: BERT tokenizes every CJK character separately, so the words
 * come from jieba. {@code sentenceProcess} is used because it yields non-overlapping words covering the text
 * (SEARCH/INDEX modes of {@code process} also emit overlapping sub-words).
 */
public final class ChineseWordSegmenter {
    private final JiebaSegmenter jieba = new JiebaSegmenter();

    /** Jieba's words of {@code text}, in order. */
    public List<String> words(String text) {
        return jieba.sentenceProcess(text);
    }

    /**
     * For each token, whether it begins a word: {@code ##} pieces never do, and a token whose start offset lies in
     * the same jieba word as the previous token's does not either. Special tokens (offsets [0,0] with empty span)
     * always begin their own word.
     *
     * @param offsets [start, end) of each token in {@code text}
     */
    public boolean[] wordStarts(String text, List<String> tokens, int[][] offsets) {
        int[] wordOf = wordIndexPerChar(text);
        boolean[] starts = new boolean[tokens.size()];
        int previousWord = -1;
        for (int i = 0; i < starts.length; i++) {
            boolean special = offsets[i][1] <= offsets[i][0];
            int word = special ? -1 : wordOf[offsets[i][0]];
            starts[i] = special || !tokens.get(i).startsWith("##") && (word < 0 || word != previousWord);
            previousWord = word;
        }
        return starts;
    }

    /** Index of the jieba word covering each char of text, -1 where jieba's words do not cover it. */
    private int[] wordIndexPerChar(String text) {
        int[] wordOf = new int[text.length()];
        java.util.Arrays.fill(wordOf, -1);
        int cursor = 0;
        int index = 0;
        for (String word : words(text)) {
            int at = word.isBlank() ? -1 : text.indexOf(word, cursor);
            if (at >= 0) {
                java.util.Arrays.fill(wordOf, at, at + word.length(), index);
                cursor = at + word.length();
            }
            index++;
        }
        return wordOf;
    }
}
