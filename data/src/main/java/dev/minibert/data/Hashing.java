package dev.minibert.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Sizes and checksums for the manifest, and the stable hash behind the corpus split. */
final class Hashing {
    private Hashing() {
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read its size", e);
        }
    }

    static String sha256(Path file) {
        return digest("SHA-256", file);
    }

    static String md5(Path file) {
        return digest("MD5", file);
    }

    private static String digest(String algorithm, Path file) {
        MessageDigest md = messageDigest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The first 8 bytes of SHA-256 of a string: a stable 64-bit hash (String.hashCode is only 32 bits). */
    static long hash64(String s) {
        byte[] d = messageDigest("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
