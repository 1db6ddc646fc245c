package dev.minibert.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/** Crash-safe file replacement: write a sibling temp file, fsync it, rename it over the target. */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    interface Writer {
        void writeTo(FileChannel ch) throws IOException;
    }

    static void write(Path file, Writer writer) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = freshSibling(target, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    /** Replaces {@code file} with {@code bytes} atomically (reports, charts, CSV files). */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }

    /**
     * A hidden sibling name {@code .<name>.<pid>-<random><suffix>} that does not exist yet. Unlike
     * Files.createTemp*, creating it later with default attributes keeps the umask's permissions
     * instead of owner-only ones on the final file.
     */
    static Path freshSibling(Path target, String suffix) throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            Path p = target.resolveSibling(uniqueName("." + target.getFileName() + ".", suffix));
            if (!Files.exists(p)) {
                return p;
            }
        }
        throw new FileAlreadyExistsException(target + ": no free temporary sibling name");
    }

    /** {@code <prefix><pid>-<random hex><suffix>}: no other process, nor this one, makes the same temp name. */
    public static String uniqueName(String prefix, String suffix) {
        return prefix + ProcessHandle.current().pid() + "-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE)
                + suffix;
    }

    /** Flushes a file written by other means (a checkpoint's files before its folder is renamed into place). */
    public static void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a rename durable; some file systems cannot open a directory, which only weakens durability. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort: the rename itself is already atomic
        }
    }

    /** Removes a file or folder tree; an absent path is fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
