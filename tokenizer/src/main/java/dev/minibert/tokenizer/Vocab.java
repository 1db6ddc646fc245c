package dev.minibert.tokenizer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** A WordPiece vocabulary: token {@code i} is line {@code i} of vocab.txt. Immutable. */
public final class Vocab {
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    /** The special tokens in the order a trained vocab starts with. */
    public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final int padId;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int maskId;

    private Vocab(List<String> tokens, Map<String, Integer> ids, String source) {
        this.tokens = List.copyOf(tokens);
        this.ids = ids;
        this.padId = special(PAD, source);
        this.unkId = special(UNK, source);
        this.clsId = special(CLS, source);
        this.sepId = special(SEP, source);
        this.maskId = special(MASK, source);
    }

    private int special(String token, String source) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": missing special token " + token
                    + " (a BERT vocab needs " + String.join(" ", SPECIAL_TOKENS) + ")");
        }
        return id;
    }

    /** Reads vocab.txt: strict UTF-8, LF or CRLF, optional BOM; no empty or duplicate lines. */
    public static Vocab read(Path file) throws IOException {
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        try (InputStream in = Files.newInputStream(file);
             Utf8LineReader lines = new Utf8LineReader(in, file.toString())) {
            String token;
            while ((token = lines.next()) != null) {
                add(token, tokens, ids, file + ":" + lines.lineNumber());
            }
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty vocab file");
        }
        return new Vocab(tokens, ids, file.toString());
    }

    /** A vocab from tokens in id order, validated like {@link #read(Path)}. */
    public static Vocab of(List<String> tokens) {
        List<String> copy = new ArrayList<>(tokens.size());
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            add(tokens.get(i), copy, ids, "vocab token " + i);
        }
        return new Vocab(copy, ids, "vocab");
    }

    private static void add(String token, List<String> tokens, Map<String, Integer> ids, String where) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty token");
        }
        if (token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(where + ": token contains a line break");
        }
        Integer previous = ids.putIfAbsent(token, tokens.size());
        if (previous != null) {
            throw new IllegalArgumentException(where + ": duplicate token '" + token + "' (first at id " + previous + ")");
        }
        tokens.add(token);
    }

    /** Writes vocab.txt (UTF-8, LF) through a fsynced temporary file renamed over it: never half a vocab. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // a plain new file (not createTempFile, which is owner-only) so vocab.txt gets the umask's permissions;
        // PID and a random part so no other writer, in this process or another, picks the same name
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 BufferedWriter out = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8))) {
                for (String token : tokens) {
                    out.write(token);
                    out.write('\n');
                }
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // makes the rename durable
        } catch (IOException e) {
            // some file systems cannot open a folder: the rename is still atomic, only less durable
        }
    }

    public int size() {
        return tokens.size();
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IndexOutOfBoundsException("token id " + id + " outside vocab of size " + tokens.size());
        }
        return tokens.get(id);
    }

    public List<String> tokens() {
        return tokens;
    }

    /** The id of {@code token}, or -1 if it is not in the vocab. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int maskId() {
        return maskId;
    }

    /** True for the five special tokens (never masked, skipped by decode). */
    public boolean isSpecial(int id) {
        return id == padId || id == unkId || id == clsId || id == sepId || id == maskId;
    }
}
