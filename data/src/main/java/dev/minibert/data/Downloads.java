package dev.minibert.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finding a downloaded package file, in the download folder or in a folder the user named with --from. */
final class Downloads {
    private Downloads() {
    }

    /** The one file in {@code dir} matching {@code glob}; none or several is an error naming the folder. */
    static Path single(Path dir, String glob, String what) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list", e);
        }
        if (found.size() != 1) {
            throw new FetchException(dir + ": expected one " + glob + " (" + what + "), found " + found.size());
        }
        return found.get(0);
    }
}
