package dev.minibert.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The running text of a man page in roff: text lines are joined into paragraphs, paragraph requests (.PP, .SH, .TP,
 * .sp, ...) end them, no-fill blocks (.nf/.fi, .EX/.EE: examples and synopses) are dropped, and font and character
 * escapes are removed. An option tag after .TP is a paragraph of its own so it does not run into its description.
 */
public final class RoffText {

    /** Requests whose argument is running text (a heading or a run of text in another font). */
    private static final Set<String> TEXT_REQUESTS = Set.of("B", "I", "BI", "BR", "IB", "IR", "RB", "RI", "SM", "SB");
    /** Requests that set a heading in their argument and so end the paragraph before and after it. */
    private static final Set<String> HEADINGS = Set.of("SH", "SS");

    private RoffText() {
    }

    public static List<String> paragraphs(String roff) {
        List<String> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean noFill = false;
        boolean tagLine = false;
        for (String raw : roff.split("\r?\n", -1)) {
            String line = raw;
            if (line.startsWith(".") || line.startsWith("'")) {
                String request = line.substring(1).strip();
                int space = request.indexOf(' ');
                String name = space < 0 ? request : request.substring(0, space);
                String args = space < 0 ? "" : request.substring(space + 1);
                if (name.equals("nf") || name.equals("EX")) {
                    flush(text, out);
                    noFill = true;
                } else if (name.equals("fi") || name.equals("EE")) {
                    noFill = false;
                } else if (noFill || name.startsWith("\\\"")) {
                    continue;
                } else if (TEXT_REQUESTS.contains(name)) {
                    append(text, unescape(args.replace("\"", "")), out, tagLine);
                    tagLine = false;
                } else if (HEADINGS.contains(name)) {
                    flush(text, out);
                    append(text, unescape(args.replace("\"", "")), out, true);
                } else {
                    flush(text, out);
                    tagLine = name.equals("TP");
                }
                continue;
            }
            if (noFill) {
                continue;
            }
            if (line.isBlank()) {
                flush(text, out);
                continue;
            }
            append(text, unescape(line), out, tagLine);
            tagLine = false;
        }
        flush(text, out);
        return out;
    }

    private static void append(StringBuilder text, String s, List<String> out, boolean alone) {
        text.append(s).append('\n');
        if (alone) {
            flush(text, out);
        }
    }

    private static void flush(StringBuilder text, List<String> out) {
        ChineseText.addParagraph(out, text);
        text.setLength(0);
    }

    /** Removes roff escapes: fonts (\fB, \f(CW, \f[..]), sizes, strings, special characters; keeps \- and \e. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '"' -> i = n; // a comment to the end of the line
                case '-' -> out.append('-');
                case 'e', '\\' -> out.append('\\');
                case ' ', '~' -> out.append(' ');
                case 'f', 'F', '*', 'n', 'g' -> i = skipName(s, i + 1) - 1;
                case '(' -> i = Math.min(n, i + 3) - 1;
                case '[' -> i = closing(s, i) - 1;
                case 's' -> {
                    int j = i + 1;
                    if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                        j++;
                    }
                    while (j < n && Character.isDigit(s.charAt(j))) {
                        j++;
                    }
                    i = j - 1;
                }
                default -> {
                    // \& \| \^ \, \/ \c and the rest print nothing
                }
            }
        }
        return out.toString();
    }

    /** After \f, \*, \n: one character, or ( and two, or [name]. */
    private static int skipName(String s, int at) {
        if (at >= s.length()) {
            return at;
        }
        char c = s.charAt(at);
        if (c == '(') {
            return Math.min(s.length(), at + 3);
        }
        if (c == '[') {
            return closing(s, at);
        }
        return at + 1;
    }

    private static int closing(String s, int open) {
        int end = s.indexOf(']', open);
        return end < 0 ? s.length() : end + 1;
    }
}
