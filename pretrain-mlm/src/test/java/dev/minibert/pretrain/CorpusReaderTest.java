package dev.minibert.pretrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CorpusReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<List<String>> all(CorpusReader reader) {
        List<List<String>> docs = new ArrayList<>();
        reader.forEach(docs::add);
        return docs;
    }

    @Test
    void blankLinesSeparateDocumentsAndFileEndsEndThem() throws IOException {
        Path f = write("c.txt", "我们 喜欢\n\n  hello world \n second line\n\n\n\nthird doc\n");
        assertThat(all(new CorpusReader(f, CorpusReader.Format.SENTENCE_PER_LINE))).containsExactly(
            List.of("我们 喜欢"), List.of("hello world", "second line"), List.of("third doc"));
    }

    @Test
    void documentPerLineModeMakesEveryNonBlankLineADocument() throws IOException {
        Path f = write("c.txt", "one doc\n\ntwo doc\nthree doc");
        assertThat(all(new CorpusReader(f, CorpusReader.Format.DOCUMENT_PER_LINE))).containsExactly(
            List.of("one doc"), List.of("two doc"), List.of("three doc"));
    }

    @Test
    void foldersAreReadRecursivelyInSortedOrderIncludingGzip() throws IOException {
        write("b/z.txt", "from b z\n");
        write("a/y/deep.txt", "from a y deep\n");
        write("a/x.txt", "from a x\n\nsecond of a x");
        Path gz = dir.resolve("a/w.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("gzipped one\ngzipped two\n".getBytes(StandardCharsets.UTF_8));
        }
        CorpusReader reader = new CorpusReader(List.of(dir), CorpusReader.Format.SENTENCE_PER_LINE, false);
        assertThat(reader.files()).containsExactly(dir.resolve("a/w.txt.gz"), dir.resolve("a/x.txt"),
            dir.resolve("a/y/deep.txt"), dir.resolve("b/z.txt"));
        assertThat(all(reader)).containsExactly(List.of("gzipped one", "gzipped two"), List.of("from a x"),
            List.of("second of a x"), List.of("from a y deep"), List.of("from b z"));
        // a second pass sees the same corpus
        try (Stream<List<String>> docs = reader.documents()) {
            assertThat(docs.count()).isEqualTo(5);
        }
    }

    @Test
    void bomAndCrlfAreTolerated() throws IOException {
        Path f = write("c.txt", "\uFEFFfirst line\r\nsecond\r\n\r\nnext doc\r\n");
        assertThat(all(new CorpusReader(f, CorpusReader.Format.SENTENCE_PER_LINE))).containsExactly(
            List.of("first line", "second"), List.of("next doc"));
    }

    private Path badUtf8File() throws IOException {
        byte[] good = "ok one\nok two\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'b', 'a', (byte) 0xC3, (byte) 0x28, '\n'};
        byte[] tail = "ok four\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[good.length + bad.length + tail.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        System.arraycopy(tail, 0, all, good.length + bad.length, tail.length);
        return write("bad.txt", all);
    }

    @Test
    void invalidUtf8FailsNamingFileAndLine() throws IOException {
        Path f = badUtf8File();
        CorpusReader reader = new CorpusReader(f, CorpusReader.Format.SENTENCE_PER_LINE);
        assertThatThrownBy(() -> all(reader)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(f + ":3").hasMessageContaining("invalid UTF-8");
    }

    @Test
    void skipModeDropsAndCountsBadLines() throws IOException {
        CorpusReader reader = new CorpusReader(List.of(badUtf8File()), CorpusReader.Format.SENTENCE_PER_LINE, true);
        assertThat(all(reader)).containsExactly(List.of("ok one", "ok two", "ok four"));
        assertThat(reader.skippedLines()).isEqualTo(1);
    }

    @Test
    void emptyCorpusIsAClearError() throws IOException {
        Path f = write("empty.txt", "\n  \n\n");
        assertThatThrownBy(() -> all(new CorpusReader(f, CorpusReader.Format.SENTENCE_PER_LINE)))
            .hasMessageContaining("contains no documents");
        Path emptyDir = Files.createDirectories(dir.resolve("nothing"));
        assertThatThrownBy(() -> new CorpusReader(emptyDir, CorpusReader.Format.SENTENCE_PER_LINE))
            .hasMessageContaining("contains no files");
        assertThatThrownBy(() -> new CorpusReader(dir.resolve("missing.txt"), CorpusReader.Format.SENTENCE_PER_LINE))
            .hasMessageContaining("does not exist");
    }

    @Test
    void aGzipBombOfOneEndlessLineFailsAtTheLineLimitNamingFileAndLine() throws IOException {
        // 64 MiB without a newline in a ~64 KiB gzip: the old reader inflated it all into one buffer
        Path f = dir.resolve("bomb.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("first line\n\n".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 'x');
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
            }
        }
        for (boolean skip : new boolean[] {false, true}) {
            CorpusReader reader = new CorpusReader(List.of(f), CorpusReader.Format.SENTENCE_PER_LINE, skip);
            assertThatThrownBy(() -> all(reader)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(f + ":3: line longer than 1048576 bytes (the limit; raise it with -Dminibert.maxLineBytes=BYTES)");
        }
    }
}
