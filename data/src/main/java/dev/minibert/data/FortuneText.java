package dev.minibert.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The paragraphs of a fortune file: records separated by lines holding only "%", paragraphs inside a record
 * separated by blank lines, hard-wrapped lines joined, terminal colour codes removed.
 */
public final class FortuneText {
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");

    private FortuneText() {
    }

    public static List<String> paragraphs(String fortunes) {
        List<String> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String line : ANSI.matcher(fortunes).replaceAll("").split("\r?\n")) {
            if (line.equals("%") || line.isBlank()) {
                ChineseText.addParagraph(out, text);
                text.setLength(0);
            } else {
                text.append(line).append('\n');
            }
        }
        ChineseText.addParagraph(out, text);
        return out;
    }
}
