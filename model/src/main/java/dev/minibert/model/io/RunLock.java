package dev.minibert.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One minibert process writing a folder at a time: an OS lock ({@code FileChannel.tryLock}) on {@code .minibert.lock}
 * inside it, held until {@link #close}. The OS drops the lock when the process dies (even by kill -9), so a crash
 * never leaves a stale lock; the PID written into the file only names the holder in the refusal. The lock file is
 * left in place: deleting it would let two processes lock two different files of the same name.
 * Re-entrant within one JVM (a finetuning run saving its model into its own folder).
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".minibert.lock";
    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private int holds = 1;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks the existing folder {@code dir}, or fails at once naming it and the PID that holds it. */
    public static RunLock acquire(Path dir) throws IOException {
        Path key = dir.toRealPath();
        synchronized (HELD) {
            RunLock held = HELD.get(key);
            if (held != null) {
                held.holds++;
                return held;
            }
            Path file = key.resolve(FILE);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                throw new IllegalStateException(dir.toAbsolutePath().normalize() + " is in use by another minibert process (PID "
                        + holderPid(file) + ", lock " + FILE + "); wait for it to finish or choose another --out");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            RunLock created = new RunLock(key, ch, lock);
            HELD.put(key, created);
            return created;
        }
    }

    private static String holderPid(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? "unknown" : text;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (--holds > 0) {
                return;
            }
            HELD.remove(dir);
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
