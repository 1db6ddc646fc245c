package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missing tools, unknown packages, unreachable registries and hung programs: one clear message before anything is
 * downloaded, nothing left in the cache. Every program is a stand-in on an injected PATH; nothing touches the network.
 */
class FetchFailureTest {

    /** Tools on {@code path}, not root, apt lists present (unless said otherwise), a 20 s limit per program. */
    static ExternalTools tools(Path lists, Path... path) {
        return new ExternalTools(List.of(path), false, lists, Duration.ofSeconds(20));
    }

    /** A folder that looks like apt's lists after apt-get update. */
    static Path aptLists(Path dir) throws Exception {
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"), "");
        return lists;
    }

    static DataFetch fetch(Path cache, Path from, ExternalTools tools, Path lock, boolean update) {
        return new DataFetch(new DataFetch.Options(cache, from, tools, 1, 20, lock, update,
                new PrintStream(new ByteArrayOutputStream())));
    }

    /** A stand-in program running {@code script} (with absolute paths: the PATH it sees may hold nothing else). */
    static void fakeTool(Path bin, String name, String script) throws Exception {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A stand-in program that prints {@code output} to stderr and exits with {@code code}. */
    static void failingTool(Path bin, String name, String output, int code) throws Exception {
        fakeTool(bin, name, "/bin/cat <<'EOF' >&2\n" + output + "\nEOF\nexit " + code);
    }

    /** The real programs linked into {@code bin}, so a PATH of just {@code bin} has them and nothing else. */
    static Path withReal(Path bin, String... programs) throws Exception {
        for (String p : programs) {
            Path real = ExternalTools.onPath().find(p).orElseThrow(() -> new AssertionError(p + " not installed"));
            Files.createSymbolicLink(bin.resolve(p), real);
        }
        return bin;
    }

    private static void assertCacheHoldsNothingBuilt(Path cache) throws Exception {
        if (!Files.exists(cache)) {
            return;
        }
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.toList()).as("no part, manifest or temporary folder left").isEmpty();
        }
    }

    @Test
    void everyMissingToolIsListedAtOnceBeforeAnything(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        Path cache = dir.resolve("cache");
        ExternalTools none = tools(dir.resolve("no-lists"), empty);
        assertThatThrownBy(() -> fetch(cache, null, none, dir.resolve("lock"), true).run(EnumSet.allOf(DataFetch.Part.class)))
                .isInstanceOf(FetchException.class)
                .hasMessage("data fetch cannot start: missing apt-get, dpkg-deb, tar, npm, mvn: install them as root with "
                        + "'apt-get install -y apt dpkg tar npm maven' (without apt-get or npm, fetch the files elsewhere "
                        + "and pass --from DIR; 'minibert data fetch --list' names them); "
                        + "apt-get has no package lists: run 'apt-get update' as root");
        assertThat(cache).doesNotExist();

        // with --from, nothing is downloaded from Debian or npm: neither they nor apt's lists are asked for
        Path from = Files.createDirectories(dir.resolve("from"));
        assertThatThrownBy(() -> fetch(cache, from, none, dir.resolve("lock"), true)
                .run(EnumSet.of(DataFetch.Part.CORPUS, DataFetch.Part.POETRY)))
                .hasMessage("data fetch cannot start: missing dpkg-deb, tar: install them as root with "
                        + "'apt-get install -y dpkg tar'");
        assertThat(cache).doesNotExist();
    }

    @Test
    void asRootItUpdatesTheListsAndInstallsExactlyWhatIsMissing(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar", "mvn");
        Path calls = dir.resolve("apt-calls");
        fakeTool(bin, "apt-get", "echo \"$@\" >> " + calls); // installs nothing, so npm is still missing after it
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExternalTools root = new ExternalTools(List.of(bin), true, dir.resolve("no-lists"), Duration.ofSeconds(20));
        DataFetch fetch = new DataFetch(new DataFetch.Options(dir.resolve("cache"), null, root, 1, 20, dir.resolve("lock"),
                true, new PrintStream(log, true, StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> fetch.run(EnumSet.of(DataFetch.Part.TOPIC, DataFetch.Part.POETRY)))
                .hasMessageStartingWith("data fetch cannot start: missing npm: install them as root with "
                        + "'apt-get install -y npm'");
        assertThat(Files.readAllLines(calls)).containsExactly("update", "install -y --no-install-recommends npm");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains(
                "installing what the fetch needs: apt-get install -y --no-install-recommends npm");
    }

    @Test
    void anUnknownPackageAsksForAptGetUpdate(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar");
        failingTool(bin, "apt-get", "E: Unable to locate package debian-handbook", 100);
        Path cache = dir.resolve("cache");
        assertThatThrownBy(() -> fetch(cache, null, tools(aptLists(dir), bin), dir.resolve("lock"), true)
                .run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessageContaining("apt-get does not know a package (E: Unable to locate package debian-handbook)")
                .hasMessageContaining("run 'apt-get update'");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void anUnreachableArchiveSaysSo(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar");
        failingTool(bin, "apt-get", "Err:1 http://deb.debian.org/debian bookworm/main all debian-handbook\n"
                + "E: Failed to fetch http://deb.debian.org/debian/pool/x.deb  Temporary failure resolving 'deb.debian.org'", 100);
        Path cache = dir.resolve("cache");
        assertThatThrownBy(() -> fetch(cache, null, tools(aptLists(dir), bin), dir.resolve("lock"), true)
                .run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessageStartingWith("cannot reach the Debian archive (E: Failed to fetch")
                .hasMessageContaining("--from DIR");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void aPinnedVersionTheArchiveNoLongerServesIsNamedWithTheWayToRepin(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar");
        Path args = dir.resolve("apt-args");
        fakeTool(bin, "apt-get", "echo \"$@\" > " + args + "\necho \"E: Version '4:7.4.7-1+deb12u13' for "
                + "'libreoffice-help-zh-cn' was not found\" >&2\nexit 100");
        Path lock = dir.resolve("sources.lock");
        Files.writeString(lock, "debian libreoffice-help-zh-cn 4:7.4.7-1+deb12u13 " + "ab".repeat(32) + "\n");
        Path cache = dir.resolve("cache");
        assertThatThrownBy(() -> fetch(cache, null, tools(aptLists(dir), bin), lock, false).run(EnumSet.of(DataFetch.Part.TOPIC)))
                .hasMessageStartingWith("the Debian archive no longer serves libreoffice-help-zh-cn 4:7.4.7-1+deb12u13, "
                        + "the version pinned in " + lock)
                .hasMessageContaining("'minibert data fetch --what all --update-lock'");
        assertThat(Files.readString(args).strip()).as("asked for the pinned version")
                .isEqualTo("download libreoffice-help-zh-cn=4:7.4.7-1+deb12u13");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void aHungDownloadIsStoppedAtTheTimeoutAndNamed(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar");
        Path pid = dir.resolve("pid");
        fakeTool(bin, "apt-get", "echo $$ > " + pid + "\nexec /bin/sleep 60");
        ExternalTools quick = new ExternalTools(List.of(bin), false, aptLists(dir), Duration.ofSeconds(1));
        Path cache = dir.resolve("cache");
        long start = System.nanoTime();
        assertThatThrownBy(() -> fetch(cache, null, quick, dir.resolve("lock"), true).run(EnumSet.of(DataFetch.Part.TOPIC)))
                .hasMessageStartingWith("apt-get timed out after 1 s while downloading 1 Debian packages; it was stopped");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElse(null);
        if (sleeper != null) {
            sleeper.onExit().get(); // destroyForcibly is asynchronous; it must end long before its 60 s
        }
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void fromAFolderWithoutThePackagesNamesTheFirstOneMissing(@TempDir Path dir) throws Exception {
        Path bin = withReal(Files.createDirectories(dir.resolve("bin")), "dpkg-deb", "tar");
        Path from = Files.createDirectories(dir.resolve("from"));
        Path cache = dir.resolve("cache");
        assertThatThrownBy(() -> fetch(cache, from, tools(aptLists(dir), bin), dir.resolve("lock"), true)
                .run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessage(from + ": expected one debian-handbook_*_*.deb (Debian package debian-handbook), found 0");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void npmFailuresTellAnUnknownPackageFromAnUnreachableRegistry(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        List<PackageRecord> used = new ArrayList<>();
        SourcesLock lock = SourcesLock.read(dir.resolve("lock"), true);
        Path notFound = Files.createDirectories(dir.resolve("404"));
        failingTool(notFound, "npm", "npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/x", 1);
        assertThatThrownBy(() -> new NpmSource(tools(dir, notFound), null, lock)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessage("npm does not know chinese-poetry@2.0.1 (npm ERR! code E404); "
                        + "or run 'npm pack chinese-poetry@2.0.1' elsewhere and pass --from DIR");
        Path offline = Files.createDirectories(dir.resolve("offline"));
        failingTool(offline, "npm", "npm ERR! code ENOTFOUND\nnpm ERR! getaddrinfo ENOTFOUND registry.npmjs.org", 1);
        assertThatThrownBy(() -> new NpmSource(tools(dir, offline), null, lock)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessageStartingWith("cannot fetch chinese-poetry@2.0.1 from the npm registry (npm ERR! code ENOTFOUND)");
        assertThatThrownBy(() -> new NpmSource(tools(dir, Files.createDirectories(dir.resolve("none"))), null, lock)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessageStartingWith("npm is not installed or not on PATH (needed for packing chinese-poetry@2.0.1");
        assertThat(used).isEmpty();
    }

    @Test
    void theCacheKeepsWhatMinibertDidNotWrite(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path mine = Files.createDirectories(cache.resolve("corpus")).resolve("notes.txt");
        Files.writeString(mine, "the user's own notes");
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        Set<DataFetch.Part> corpus = EnumSet.of(DataFetch.Part.CORPUS);
        assertThatThrownBy(() -> fetch(cache, null, tools(aptLists(dir), empty), dir.resolve("lock"), true).run(corpus))
                .hasMessage(mine + ": not written by minibert (MANIFEST.json does not list it); refusing to replace "
                        + cache.resolve("corpus") + ": move it away or choose another --cache");
        assertThat(mine).hasContent("the user's own notes");

        // a part folder that is a link to the user's folder is not followed, nor replaced
        Path theirs = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(theirs.resolve("x.txt"), "x");
        Files.createSymbolicLink(cache.resolve("weights"), theirs);
        assertThatThrownBy(() -> fetch(cache, null, tools(aptLists(dir), empty), dir.resolve("lock"), true)
                .run(EnumSet.of(DataFetch.Part.WEIGHTS)))
                .hasMessageStartingWith(cache.resolve("weights") + ": not a folder minibert wrote; refusing to replace");
        assertThat(theirs.resolve("x.txt")).hasContent("x");
    }
}
