package dev.minibert.tokenizer;

/**
 * The longest line a text input may have, in bytes: every line reader stops at it with {@code file:line}, so a
 * hostile file without newlines (or a binary passed by mistake) is an error instead of a multi-GiB buffer.
 * One mechanism for every command and file kind: the system property {@value #PROPERTY}
 * (e.g. {@code MINIBERT_JAVA_OPTS=-Dminibert.maxLineBytes=4194304}); 1 MiB by default.
 */
public final class LineLimit {
    public static final String PROPERTY = "minibert.maxLineBytes";
    public static final int DEFAULT_BYTES = 1 << 20;
    /** A Java array's practical limit: a line is held in one byte[]. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private LineLimit() {
    }

    /** The limit in force; a malformed property is an error naming it (not a silent default). */
    public static int bytes() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return DEFAULT_BYTES;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n > 0 && n <= MAX_BYTES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": must be a whole number of bytes in [1, "
                + MAX_BYTES + "]");
    }

    /** The error for line {@code lineNumber} of {@code source} once it passes {@code limit} bytes. */
    public static IllegalArgumentException tooLong(String source, long lineNumber, int limit) {
        return new IllegalArgumentException(source + ":" + lineNumber + ": line longer than " + limit
                + " bytes (the limit; raise it with -D" + PROPERTY + "=BYTES)");
    }
}
