package dev.minibert.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** The kinds of file the packages hold, each with its converter to paragraphs. */
public enum TextFormat {
    HTML, MALLARD, ROFF, GETTEXT_MO, GETTEXT_PO, FORTUNE;

    /** The format of a file from its path inside a package. */
    public static TextFormat of(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        if (p.endsWith(".html") || p.endsWith(".htm")) {
            return HTML;
        }
        if (p.endsWith(".page")) {
            return MALLARD;
        }
        if (p.endsWith(".mo")) {
            return GETTEXT_MO;
        }
        if (p.endsWith(".po")) {
            return GETTEXT_PO;
        }
        if (p.contains("/man/")) {
            return ROFF;
        }
        if (p.contains("/fortunes/")) {
            return FORTUNE;
        }
        throw new IllegalArgumentException(path + ": no converter for this kind of file");
    }

    /** The paragraphs of a file's bytes (gzip-compressed or not; text is UTF-8). */
    public List<String> paragraphs(byte[] bytes) {
        byte[] raw = gunzipIfNeeded(bytes);
        if (this == GETTEXT_MO) {
            return GettextText.fromMo(raw);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        return switch (this) {
            case HTML -> MarkupText.paragraphs(text, MarkupText.Dialect.HTML);
            case MALLARD -> MarkupText.paragraphs(text, MarkupText.Dialect.MALLARD);
            case ROFF -> RoffText.paragraphs(text);
            case GETTEXT_PO -> GettextText.fromPo(text);
            case FORTUNE -> FortuneText.paragraphs(text);
            case GETTEXT_MO -> throw new AssertionError("handled above");
        };
    }

    private static byte[] gunzipIfNeeded(byte[] bytes) {
        if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) {
            return bytes;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
