package dev.minibert.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Line reading that rejects invalid UTF-8 with the line number instead of inventing U+FFFD. */
final class StrictUtf8 {
    private StrictUtf8() {
    }

    static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    /** Next line without its terminator, a leading BOM dropped on line 1; null at the end. */
    static String readLine(BufferedReader in, String source, int lineNo) throws IOException {
        String line;
        try {
            line = in.readLine();
        } catch (CharacterCodingException e) {
            throw new IOException(source + ":" + lineNo + ": invalid UTF-8", e);
        }
        if (line != null && lineNo == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        return line;
    }
}
