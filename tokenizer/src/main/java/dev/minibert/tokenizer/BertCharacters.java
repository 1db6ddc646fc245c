package dev.minibert.tokenizer;

/**
 * The character classes of Google's tokenization.py ({@code _is_whitespace}, {@code _is_control},
 * {@code _is_punctuation}, {@code _is_chinese_char}), on code points.
 */
final class BertCharacters {
    private BertCharacters() {
    }

    /**
     * Space, tab, CR, LF, any Zs, and the line/paragraph separators (Python's {@code str.split()}
     * and Rust's {@code char::is_whitespace} both split on U+2028/U+2029).
     */
    static boolean isWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return true;
        }
        if (cp < 0x80) {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * Cc, Cf, Co and Cs, except tab, CR and LF, which count as whitespace. Unassigned code points (Cn)
     * are kept, as HF tokenizers keeps them: Java 17 knows Unicode 13 only, so newer emoji are Cn here,
     * and Python's C* test would drop them only where its Unicode tables are as old.
     */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE,
                    Character.SURROGATE -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** All non-alphanumeric ASCII symbols (so {@code $ ^ `} count although they are not P*), plus any P*. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        if (cp < 0x80) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * The CJK Unified Ideographs blocks BERT isolates. Hiragana, Katakana, Hangul and CJK punctuation
     * are not in it: they are written with spaces or handled as ordinary letters/punctuation.
     */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
