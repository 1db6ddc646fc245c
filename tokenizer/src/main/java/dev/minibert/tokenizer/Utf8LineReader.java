package dev.minibert.tokenizer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads lines of strict UTF-8, decoding each line on its own so that an invalid byte is reported
 * with the line it is on (a Reader decodes ahead in blocks and would blame an earlier line).
 * LF and CRLF both end a line; a BOM on line 1 is dropped. Invalid UTF-8 throws
 * IllegalArgumentException naming source and line ({@link #nextLine()} hands such a line back instead), and so
 * does a line longer than {@link LineLimit}, before more than the limit is buffered.
 */
public final class Utf8LineReader implements Closeable {
    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private int lineNumber;
    private long bytesRead;
    private final int maxLineBytes = LineLimit.bytes();

    /** A line's text; when {@code validUtf8} is false the text has U+FFFD where the invalid bytes were. */
    public record Line(String text, boolean validUtf8) {
    }

    /** {@code source} names the input in error messages ({@code source:line: invalid UTF-8}). */
    public Utf8LineReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The next line without its terminator, or null at the end of the input. */
    public String next() throws IOException {
        Line l = nextLine();
        if (l != null && !l.validUtf8()) {
            throw new IllegalArgumentException(source + ":" + lineNumber + ": invalid UTF-8");
        }
        return l == null ? null : l.text();
    }

    /** The next line, valid UTF-8 or not, or null at the end of the input. */
    public Line nextLine() throws IOException {
        int length = 0;
        boolean sawAny = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
                bytesRead += limit;
            }
            sawAny = true;
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            long needed = (long) length + end - position;
            if (needed > maxLineBytes) {
                throw LineLimit.tooLong(source, lineNumber + 1L, maxLineBytes);
            }
            if (needed > line.length) {
                line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(2L * line.length, needed)));
            }
            System.arraycopy(buffer, position, line, length, end - position);
            length += end - position;
            position = end;
            if (newline >= 0) {
                position++;
                break;
            }
        }
        lineNumber++;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        int start = 0;
        if (lineNumber == 1 && length >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                && (line[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        return decode(start, length);
    }

    private Line decode(int start, int end) {
        boolean ascii = true;
        for (int i = start; i < end && ascii; i++) {
            ascii = line[i] >= 0;
        }
        if (ascii) {
            return new Line(new String(line, start, end - start, StandardCharsets.ISO_8859_1), true);
        }
        try {
            return new Line(decoder.reset().decode(ByteBuffer.wrap(line, start, end - start)).toString(), true);
        } catch (CharacterCodingException e) {
            return new Line(new String(line, start, end - start, StandardCharsets.UTF_8), false);
        }
    }

    /** The number of the line last returned by {@link #next()}, from 1. */
    public int lineNumber() {
        return lineNumber;
    }

    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
