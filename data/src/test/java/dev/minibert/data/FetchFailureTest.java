package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing tools, unknown packages and unreachable registries: one clear message, nothing left in the cache. */
class FetchFailureTest {

    private static final String MISSING = "/nonexistent/minibert-test/";

    private static ExternalTools tools(String aptGet, String dpkgDeb, String npm) {
        return new ExternalTools(aptGet, dpkgDeb, "tar", npm, MISSING + "mvn");
    }

    private static DataFetch fetch(Path cache, Path from, ExternalTools tools) {
        return new DataFetch(new DataFetch.Options(cache, from, tools, 1, 20, new PrintStream(new ByteArrayOutputStream())));
    }

    /** A stand-in program that prints {@code output} and exits with {@code code}. */
    private static String fakeTool(Path dir, String name, String output, int code) throws Exception {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\ncat <<'EOF' >&2\n" + output + "\nEOF\nexit " + code + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script.toString();
    }

    private static void assertCacheHoldsNothingBuilt(Path cache) throws Exception {
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.toList()).as("no part, manifest or temporary folder left").isEmpty();
        }
    }

    @Test
    void missingAptGetSaysWhatToInstallOrToUseFrom(@TempDir Path cache) throws Exception {
        ExternalTools t = tools(MISSING + "apt-get", "dpkg-deb", "npm");
        assertThatThrownBy(() -> fetch(cache, null, t).run(EnumSet.of(DataFetch.Part.CORPUS)))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining(MISSING + "apt-get is not installed or not on PATH")
                .hasMessageContaining("--from DIR");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void anUnknownPackageAsksForAptGetUpdate(@TempDir Path cache, @TempDir Path bin) throws Exception {
        String apt = fakeTool(bin, "apt-get", "E: Unable to locate package debian-handbook", 100);
        assertThatThrownBy(() -> fetch(cache, null, tools(apt, "dpkg-deb", "npm")).run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessageContaining("apt-get does not know a package (E: Unable to locate package debian-handbook)")
                .hasMessageContaining("run 'apt-get update'");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void anUnreachableArchiveSaysSo(@TempDir Path cache, @TempDir Path bin) throws Exception {
        String apt = fakeTool(bin, "apt-get", "Err:1 http://deb.debian.org/debian bookworm/main all debian-handbook\n"
                + "E: Failed to fetch http://deb.debian.org/debian/pool/x.deb  Temporary failure resolving 'deb.debian.org'", 100);
        assertThatThrownBy(() -> fetch(cache, null, tools(apt, "dpkg-deb", "npm")).run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessageStartingWith("cannot reach the Debian archive (E: Failed to fetch")
                .hasMessageContaining("--from DIR");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void fromAFolderWithoutThePackagesNamesTheFirstOneMissing(@TempDir Path cache, @TempDir Path from) throws Exception {
        assertThatThrownBy(() -> fetch(cache, from, tools(MISSING + "apt-get", "dpkg-deb", "npm"))
                .run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessage(from + ": expected one debian-handbook_*.deb (Debian package debian-handbook), found 0");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void missingDpkgDebSaysWhatToInstall(@TempDir Path cache, @TempDir Path from) throws Exception {
        for (DebianSource.Package p : DebianSource.CORPUS) {
            Files.writeString(from.resolve(p.name() + "_1.0_all.deb"), "not really a deb");
        }
        assertThatThrownBy(() -> fetch(cache, from, tools(MISSING + "apt-get", MISSING + "dpkg-deb", "npm"))
                .run(EnumSet.of(DataFetch.Part.CORPUS)))
                .hasMessage(MISSING + "dpkg-deb is not installed or not on PATH: "
                        + "unpacking .deb files needs dpkg-deb: install the dpkg package");
        assertCacheHoldsNothingBuilt(cache);
    }

    @Test
    void npmFailuresTellAnUnknownPackageFromAnUnreachableRegistry(@TempDir Path work, @TempDir Path bin) throws Exception {
        List<PackageRecord> used = new ArrayList<>();
        String notFound = fakeTool(bin, "npm404", "npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/x", 1);
        assertThatThrownBy(() -> new NpmSource(tools("apt-get", "dpkg-deb", notFound), null)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessage("npm does not know chinese-poetry@2.0.1 (npm ERR! code E404); "
                        + "or run 'npm pack chinese-poetry@2.0.1' elsewhere and pass --from DIR");
        String offline = fakeTool(bin, "npmoff", "npm ERR! code ENOTFOUND\nnpm ERR! getaddrinfo ENOTFOUND registry.npmjs.org", 1);
        assertThatThrownBy(() -> new NpmSource(tools("apt-get", "dpkg-deb", offline), null)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessageStartingWith("cannot fetch chinese-poetry@2.0.1 from the npm registry (npm ERR! code ENOTFOUND)");
        assertThatThrownBy(() -> new NpmSource(tools("apt-get", "dpkg-deb", MISSING + "npm"), null)
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used))
                .hasMessageContaining("npm is not installed or not on PATH: fetching chinese-poetry needs npm");
        assertThat(used).isEmpty();
    }
}
