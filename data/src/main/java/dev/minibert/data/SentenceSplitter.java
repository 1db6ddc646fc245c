package dev.minibert.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Chinese paragraph into sentences after 。！？；… (a run of them stays together, "……" included), keeping
 * the closing quotes and brackets that follow the mark with the sentence they close.
 */
public final class SentenceSplitter {

    private SentenceSplitter() {
    }

    public static List<String> split(String paragraph) {
        List<String> sentences = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = paragraph.length();
        while (i < n) {
            if (!isEnd(paragraph.charAt(i))) {
                i++;
                continue;
            }
            while (i < n && isEnd(paragraph.charAt(i))) {
                i++;
            }
            while (i < n && isCloser(paragraph.charAt(i))) {
                i++;
            }
            add(sentences, paragraph.substring(start, i));
            start = i;
        }
        add(sentences, paragraph.substring(start));
        return sentences;
    }

    private static void add(List<String> sentences, String s) {
        String t = s.strip();
        if (!t.isEmpty()) {
            sentences.add(t);
        }
    }

    private static boolean isEnd(char c) {
        return c == '。' || c == '！' || c == '？' || c == '；' || c == '…';
    }

    private static boolean isCloser(char c) {
        return c == '”' || c == '’' || c == '」' || c == '』' || c == '）' || c == ')' || c == '》' || c == '"' || c == '\'';
    }
}
