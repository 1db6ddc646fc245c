package dev.minibert.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The translated strings of a gettext catalog, compiled (.mo) or source (.po), as paragraphs: each translation is
 * split at its line breaks, the first plural form is kept, the header entry and untranslated entries are skipped,
 * and the light markup games put in strings (&lt;b&gt;, &lt;span …&gt;, wesnoth's {@code text='…'} links) is removed.
 */
public final class GettextText {
    private static final int MAGIC = 0x950412de;
    private static final Pattern TAG = Pattern.compile("<[^<>]*>");
    /** wesnoth help links: &lt;ref&gt;dst='x' text='shown'&lt;/ref&gt; shows only the text. */
    private static final Pattern HIDDEN_ATTRIBUTE = Pattern.compile("\\b(?:dst|src|align|float|color|font_size)='[^']*'\\s*");
    private static final Pattern TEXT_ATTRIBUTE = Pattern.compile("\\btext='([^']*)'");

    private GettextText() {
    }

    /** Reads a .mo file (either byte order); a file that is not one fails with the reason. */
    public static List<String> fromMo(byte[] mo) {
        if (mo.length < 28) {
            throw new IllegalArgumentException("not a gettext .mo file: " + mo.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(mo).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(0) != MAGIC) {
                throw new IllegalArgumentException("not a gettext .mo file: bad magic number");
            }
        }
        int count = b.getInt(8);
        int originals = b.getInt(12);
        int translations = b.getInt(16);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int idLength = b.getInt(originals + 8 * k);
            String translated = string(mo, b, translations + 8 * k);
            if (idLength == 0) {
                continue; // the header entry
            }
            addParagraphs(translated, out);
        }
        return out;
    }

    private static String string(byte[] mo, ByteBuffer b, int entry) {
        int length = b.getInt(entry);
        int offset = b.getInt(entry + 4);
        if (offset < 0 || length < 0 || (long) offset + length > mo.length) {
            throw new IllegalArgumentException("not a gettext .mo file: string table points outside the file");
        }
        return new String(mo, offset, length, StandardCharsets.UTF_8);
    }

    /** Reads a UTF-8 .po file: msgstr (or msgstr[0]) with its continuation lines; fuzzy entries are kept. */
    public static List<String> fromPo(String po) {
        List<String> out = new ArrayList<>();
        StringBuilder msgid = new StringBuilder();
        StringBuilder msgstr = new StringBuilder();
        StringBuilder current = null;
        for (String raw : po.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("msgid ")) {
                finish(msgid, msgstr, out);
                current = msgid;
                current.append(quoted(line.substring(6)));
            } else if (line.startsWith("msgstr ") || line.startsWith("msgstr[0] ")) {
                current = msgstr;
                current.append(quoted(line.substring(line.indexOf(' ') + 1)));
            } else if (line.startsWith("\"") && current != null) {
                current.append(quoted(line));
            } else if (!line.startsWith("#")) {
                current = null; // msgctxt, msgid_plural, msgstr[n>0] and blank lines
            }
        }
        finish(msgid, msgstr, out);
        return out;
    }

    private static void finish(StringBuilder msgid, StringBuilder msgstr, List<String> out) {
        if (msgid.length() > 0) {
            addParagraphs(msgstr.toString(), out);
        }
        msgid.setLength(0);
        msgstr.setLength(0);
    }

    /** The C-escaped content of a "…" literal. */
    private static String quoted(String literal) {
        String s = literal.strip();
        if (s.length() < 2 || !s.startsWith("\"") || !s.endsWith("\"")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() - 1) {
                char e = s.charAt(++i);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void addParagraphs(String translation, List<String> out) {
        int nul = translation.indexOf('\0');
        String first = nul < 0 ? translation : translation.substring(0, nul);
        String shown = TEXT_ATTRIBUTE.matcher(HIDDEN_ATTRIBUTE.matcher(first).replaceAll("")).replaceAll("$1");
        String plain = TAG.matcher(shown).replaceAll("");
        for (String line : plain.split("\n")) {
            ChineseText.addParagraph(out, line);
        }
    }
}
