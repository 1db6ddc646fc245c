package dev.minibert.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The guard in front of a plain {@code --out} file (a vocabulary, an HTML report): never replace the user's file. */
public final class OutputFile {
    /** What says a file is one minibert wrote (e.g. a report's generator tag); {@link #UNKNOWN} when nothing can. */
    public interface Provenance {
        boolean writtenByMinibert(Path file) throws IOException;
    }

    /** For files that carry no mark of who wrote them (vocab.txt): every existing one needs --overwrite. */
    public static final Provenance UNKNOWN = file -> false;

    private OutputFile() {
    }

    /** Refuses, before any work, to replace {@code file} unless it is absent, minibert's own, or {@code overwrite}. */
    public static void requireReplaceable(Path file, boolean overwrite, Provenance provenance) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(file + " exists and is not a plain file; nothing was changed");
        }
        if (!overwrite && !provenance.writtenByMinibert(file)) {
            throw new IllegalArgumentException(file + " already exists and minibert cannot tell it wrote it; "
                    + "nothing was changed: pass --overwrite to replace it, or choose another --out");
        }
    }
}
