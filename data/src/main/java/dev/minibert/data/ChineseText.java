package dev.minibert.data;

import java.util.List;

/**
 * What counts as Chinese running text, and how hard-wrapped Chinese lines are put back together.
 * A character is Chinese when its Unicode script is Han (CJK punctuation is not, so a normal sentence is ~90% Han).
 */
public final class ChineseText {
    /** A paragraph needs at least this many Han characters... */
    public static final int MIN_HAN = 8;
    /** ...and at least this share of Han characters among its non-space characters. */
    public static final double MIN_HAN_SHARE = 0.5;

    private ChineseText() {
    }

    public static boolean isHan(int cp) {
        return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    public static int hanCount(String s) {
        return (int) s.codePoints().filter(ChineseText::isHan).count();
    }

    /** Enough Chinese to be worth keeping: code, tables of options and English leftovers fail this. */
    public static boolean isChineseEnough(String s) {
        int han = 0;
        int nonSpace = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                nonSpace++;
                if (isHan(cp)) {
                    han++;
                }
            }
        }
        return han >= MIN_HAN && han >= MIN_HAN_SHARE * nonSpace;
    }

    /**
     * Collapses every run of whitespace to one space, trims, and removes a space that stands between two Chinese
     * characters: Chinese is written without spaces, so such a space is a line wrap or the old character-spaced
     * style of some man pages ("这 是 一 个").
     */
    public static String normalize(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0xFEFF) {
                pendingSpace = out.length() > 0;
                continue;
            }
            if (pendingSpace && !(isWide(out.codePointBefore(out.length())) && isWide(cp))) {
                out.append(' ');
            }
            pendingSpace = false;
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    /** Han characters and full-width CJK punctuation: no space is ever needed between two of them. */
    private static boolean isWide(int cp) {
        if (isHan(cp)) {
            return true;
        }
        Character.UnicodeBlock b = Character.UnicodeBlock.of(cp);
        return b == Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION
                || b == Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS
                || cp == '“' || cp == '”' || cp == '‘' || cp == '’' || cp == '…';
    }

    /** Adds {@code text}, normalized, to {@code out} unless nothing is left of it. */
    static void addParagraph(List<String> out, CharSequence text) {
        String p = normalize(text.toString());
        if (!p.isEmpty()) {
            out.add(p);
        }
    }
}
