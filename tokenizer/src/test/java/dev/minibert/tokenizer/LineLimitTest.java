package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineLimitTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(LineLimit.PROPERTY);
    }

    /** A newline-free stream that never ends: the old reader grew its buffer until the heap ran out. */
    private static final class EndlessBytes extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 'a';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'a');
            served += len;
            return len;
        }
    }

    @Test
    void anEndlessLineStopsAtTheDefaultLimitNamingSourceAndLine() throws IOException {
        EndlessBytes endless = new EndlessBytes();
        Utf8LineReader reader = new Utf8LineReader(new java.io.SequenceInputStream(
                new ByteArrayInputStream("ok\n".getBytes(StandardCharsets.US_ASCII)), endless), "<stdin>");
        assertThat(reader.next()).isEqualTo("ok");
        assertThatThrownBy(reader::next).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("<stdin>:2: line longer than 1048576 bytes (the limit; raise it with -D"
                        + LineLimit.PROPERTY + "=BYTES)");
        // it stopped within one 64 KiB read of the limit instead of buffering on
        assertThat(endless.served).isBetween((long) LineLimit.DEFAULT_BYTES, LineLimit.DEFAULT_BYTES + (1L << 16));
    }

    @Test
    void theLimitIsInclusiveAndSetByTheSystemProperty() throws IOException {
        System.setProperty(LineLimit.PROPERTY, "8");
        Utf8LineReader reader = new Utf8LineReader(
                new ByteArrayInputStream("12345678\r\n1234567\n123456789\n".getBytes(StandardCharsets.US_ASCII)), "f.txt");
        assertThatThrownBy(reader::next).hasMessageStartingWith("f.txt:1: line longer than 8 bytes"); // CR counts
        System.setProperty(LineLimit.PROPERTY, "9");
        Utf8LineReader again = new Utf8LineReader(
                new ByteArrayInputStream("12345678\r\n123456789\n1234567890\n".getBytes(StandardCharsets.US_ASCII)), "f.txt");
        assertThat(again.next()).isEqualTo("12345678");
        assertThat(again.next()).isEqualTo("123456789");
        assertThatThrownBy(again::next).hasMessageStartingWith("f.txt:3: line longer than 9 bytes");
    }

    @Test
    void aMalformedPropertyIsAnErrorNamingIt() {
        for (String bad : new String[] {"0", "-1", "1MiB", "99999999999"}) {
            System.setProperty(LineLimit.PROPERTY, bad);
            assertThatThrownBy(() -> new Utf8LineReader(InputStream.nullInputStream(), "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("-D" + LineLimit.PROPERTY + "=" + bad + ": must be a whole number of bytes");
        }
    }

    @Test
    void nextLineHandsBackInvalidUtf8AndGoesOn() throws IOException {
        byte[] bytes = {'a', '\n', 'x', (byte) 0xC3, '(', '\n', 'y'};
        Utf8LineReader reader = new Utf8LineReader(new ByteArrayInputStream(bytes), "f");
        assertThat(reader.nextLine()).isEqualTo(new Utf8LineReader.Line("a", true));
        assertThat(reader.nextLine()).isEqualTo(new Utf8LineReader.Line("x\uFFFD(", false));
        assertThat(reader.lineNumber()).isEqualTo(2);
        assertThat(reader.nextLine()).isEqualTo(new Utf8LineReader.Line("y", true));
        assertThat(reader.nextLine()).isNull();
    }

    @Test
    void aVocabWithAnOverlongLineNamesFileAndLine() throws IOException {
        System.setProperty(LineLimit.PROPERTY, "64");
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\n[UNK]\n[CLS]\n" + "x".repeat(65) + "\n[SEP]\n[MASK]\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Vocab.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ":4: line longer than 64 bytes");
    }
}
