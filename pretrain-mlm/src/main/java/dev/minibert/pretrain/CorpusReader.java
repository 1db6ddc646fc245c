package dev.minibert.pretrain;

import dev.minibert.tokenizer.Utf8LineReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * Streams the documents of a pretraining corpus: UTF-8 text files (optionally {@code .gz}) or folders of them,
 * read recursively in sorted path order so every run sees the same sequence.
 *
 * <p>{@link Format#SENTENCE_PER_LINE} is Google's BERT format: one sentence per line, a blank line between documents
 * (the end of a file also ends a document). {@link Format#DOCUMENT_PER_LINE} treats every non-blank line as a
 * document of one "sentence". Lines are decoded strictly; a line with invalid UTF-8 fails the read with the file and
 * line number, or is dropped and counted when {@code skipBadLines} is set. A BOM and CRLF line ends are tolerated.
 * A line longer than {@link dev.minibert.tokenizer.LineLimit} fails the read with its file and line, skip or not.
 */
public final class CorpusReader implements Iterable<List<String>> {

    public enum Format { SENTENCE_PER_LINE, DOCUMENT_PER_LINE }

    private final List<Path> files;
    private final Format format;
    private final boolean skipBadLines;
    /** One file of a corpus read on its own (elsewhere) may hold no document; a whole corpus may not. */
    private final boolean mayBeEmpty;
    private long skippedLines;

    public CorpusReader(List<Path> inputs, Format format, boolean skipBadLines) {
        this(inputs, format, skipBadLines, false);
    }

    private CorpusReader(List<Path> inputs, Format format, boolean skipBadLines, boolean mayBeEmpty) {
        this.files = listFiles(inputs);
        this.format = format;
        this.skipBadLines = skipBadLines;
        this.mayBeEmpty = mayBeEmpty;
        if (files.isEmpty()) {
            throw new IllegalArgumentException("corpus " + inputs + " contains no files");
        }
    }

    public CorpusReader(Path input, Format format) {
        this(List.of(input), format, false);
    }

    /** One file of a corpus, read apart from the others: the documents the whole corpus's reader reads from it. */
    static CorpusReader ofOneFile(Path file, Format format, boolean skipBadLines) {
        return new CorpusReader(List.of(file), format, skipBadLines, true);
    }

    /** The files in reading order. */
    public List<Path> files() {
        return files;
    }

    /** Lines dropped for invalid UTF-8 so far (only with {@code skipBadLines}). */
    public long skippedLines() {
        return skippedLines;
    }

    /** A fresh pass over the corpus; each document is its list of non-blank, stripped lines. */
    @Override
    public Iterator<List<String>> iterator() {
        return new DocumentIterator();
    }

    /** A fresh pass as a stream; closing it (try-with-resources) releases the open file of an abandoned pass. */
    public Stream<List<String>> documents() {
        DocumentIterator it = new DocumentIterator();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
            .onClose(it::close);
    }

    private static List<Path> listFiles(List<Path> inputs) {
        List<Path> out = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list corpus folder " + input, e);
                }
            } else if (Files.isRegularFile(input)) {
                out.add(input);
            } else {
                throw new IllegalArgumentException("corpus input " + input + " does not exist");
            }
        }
        return out;
    }

    private final class DocumentIterator implements Iterator<List<String>> {
        private int fileIndex = -1;
        private LineSource source;
        private List<String> next;
        private long documents;

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public List<String> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<String> doc = next;
            next = null;
            return doc;
        }

        private List<String> advance() {
            List<String> doc = new ArrayList<>();
            while (true) {
                if (source == null && !openNextFile()) {
                    return finish(doc);
                }
                String line = source.readLine();
                if (line == null) {
                    source.close();
                    source = null;
                    if (!doc.isEmpty()) {
                        return emit(doc);
                    }
                    continue;
                }
                String text = line.strip();
                if (format == Format.DOCUMENT_PER_LINE) {
                    if (!text.isEmpty()) {
                        return emit(List.of(text));
                    }
                } else if (!text.isEmpty()) {
                    doc.add(text);
                } else if (!doc.isEmpty()) {
                    return emit(doc);
                }
            }
        }

        void close() {
            if (source != null) {
                source.close();
                source = null;
            }
        }

        private List<String> emit(List<String> doc) {
            documents++;
            return doc;
        }

        private List<String> finish(List<String> doc) {
            if (!doc.isEmpty()) {
                return emit(doc);
            }
            if (documents == 0 && !mayBeEmpty) {
                throw new IllegalArgumentException("corpus " + files + " contains no documents (all files empty)");
            }
            return null;
        }

        private boolean openNextFile() {
            if (++fileIndex >= files.size()) {
                return false;
            }
            source = new LineSource(files.get(fileIndex));
            return true;
        }
    }

    /** One file's lines through {@link Utf8LineReader}, so a bad line can be named and skipped without losing the rest. */
    private final class LineSource {
        private final Path file;
        private final Utf8LineReader lines;

        LineSource(Path file) {
            this.file = file;
            try {
                InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                this.lines = new Utf8LineReader(in, file.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open corpus file " + file, e);
            }
        }

        /** The next decoded line without its terminator, or null at end of file. */
        String readLine() {
            try {
                while (true) {
                    Utf8LineReader.Line line = lines.nextLine();
                    if (line == null || line.validUtf8()) {
                        return line == null ? null : line.text();
                    }
                    if (!skipBadLines) {
                        throw new IllegalArgumentException(file + ":" + lines.lineNumber() + ": invalid UTF-8");
                    }
                    skippedLines++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + file + " at line " + (lines.lineNumber() + 1), e);
            }
        }

        void close() {
            try {
                lines.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close corpus file " + file, e);
            }
        }
    }
}
