package dev.minibert.model.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fuzz targets' oracle. A parser given hostile bytes must return a valid result or fail the project's way:
 * an IOException or IllegalArgumentException (UncheckedIOException where streams need it) whose message names
 * the file, as the CLI prints it. Anything else (OutOfMemoryError, NegativeArraySizeException,
 * IndexOutOfBounds, ArithmeticException, NullPointerException, ND4J's own exceptions, a NumberFormatException or a
 * bare MalformedInputException that names no file) escapes as the finding.
 */
public final class ClearErrors {
    private ClearErrors() {
    }

    /** A parse of one input file. */
    @FunctionalInterface
    public interface Parse {
        void run(Path file) throws IOException;
    }

    /** Writes {@code bytes} to {@code file} and runs {@code parse} on it, rethrowing any error that is not clear. */
    public static void check(Path file, byte[] bytes, Parse parse) throws IOException {
        Files.write(file, bytes);
        try {
            parse.run(file);
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            if (!String.valueOf(e.getMessage()).contains(file.toString())) {
                throw new AssertionError("an error that does not name " + file + ": " + e, e);
            }
        }
    }

    /** A scratch file for one fuzz target, reused across its many executions. */
    public static Path scratch(String name) {
        try {
            Path dir = Files.createTempDirectory("minibert-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
