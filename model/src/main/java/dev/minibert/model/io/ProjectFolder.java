package dev.minibert.model.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The checkout minibert was built in, found from where a class was loaded ({@code MODULE/target/classes} or
 * {@code MODULE/target/*.jar}): its own files ({@code data/sources.lock}, {@code scripts/}) are read from there,
 * never from the current folder or a parent of it, where any file of that name could be someone else's.
 */
public final class ProjectFolder {
    private ProjectFolder() {
    }

    /** {@code relative} in the checkout that built {@code built}; IllegalStateException naming it if unknown. */
    public static Path file(Class<?> built, String relative) {
        try {
            Path location = Path.of(built.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.getParent().getParent().getParent().resolve(relative);
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where minibert was built from, so not where " + relative
                    + " is; run minibert from its checkout");
        }
    }
}
