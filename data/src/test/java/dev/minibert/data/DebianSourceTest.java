package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real (tiny) .deb built with dpkg-deb, read back through --from: the whole path without a network. */
class DebianSourceTest {

    private static Path buildDeb(Path dir) throws Exception {
        Path root = dir.resolve("root");
        Path man = Files.createDirectories(root.resolve("usr/share/man/zh_CN/man1"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(man.resolve("demo.1.gz")))) {
            out.write(".TH DEMO 1\n.SH 描述\n这是一个演示用的手册页段落。\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.createSymbolicLink(man.resolve("alias.1.gz"), Path.of("demo.1.gz"));
        Files.writeString(Files.createDirectories(root.resolve("usr/share/doc/demo")).resolve("README"), "not wanted");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: demo-zh\nVersion: 1.2-3\nArchitecture: all\n"
                + "Maintainer: Test <t@example.org>\nDescription: test package\n");
        Path deb = dir.resolve("from/demo-zh_1.2-3_all.deb");
        Files.createDirectories(deb.getParent());
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-b", root.toString(), deb.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return deb;
    }

    private static boolean hasDpkgDeb() {
        try {
            return new ProcessBuilder("dpkg-deb", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void readsTheWantedFilesOfADebFromAFolderAndRecordsIt(@TempDir Path dir) throws Exception {
        assumeTrue(hasDpkgDeb(), "dpkg-deb not installed");
        Path deb = buildDeb(dir);
        // while updating the lock, the version comes from the .deb itself (dpkg-deb -f), and is pinned
        SourcesLock lock = SourcesLock.read(dir.resolve("sources.lock"), true);
        DebianSource source = new DebianSource(ExternalTools.onPath(), deb.getParent(), lock);
        DebianSource.Package demo = new DebianSource.Package("demo-zh", "./usr/share/man/zh_CN/*");
        List<PackageRecord> used = new ArrayList<>();
        Path work = Files.createDirectories(dir.resolve("work"));
        List<Path> debs = source.debs(List.of(demo), work, used);
        assertThat(debs).containsExactly(deb);
        assertThat(used).containsExactly(new PackageRecord("debian", "demo-zh", "1.2-3", deb.getFileName().toString(),
                Files.size(deb), Hashing.sha256(deb)));
        lock.write();
        assertThat(Files.readAllLines(dir.resolve("sources.lock"))).contains("debian demo-zh 1.2-3 " + Hashing.sha256(deb));

        List<SourceDocument> docs = source.documents(demo, deb, Files.createDirectories(dir.resolve("into")));
        // the symlink is not read a second time, the README is not unpacked
        assertThat(docs).containsExactly(new SourceDocument("demo-zh:usr/share/man/zh_CN/man1/demo.1.gz", "demo-zh",
                "usr/share/man/zh_CN/man1/demo.1.gz", List.of("描述", "这是一个演示用的手册页段落。")));
        assertThat(dir.resolve("into/usr/share/doc")).doesNotExist();
    }

    @Test
    void aPackageWithoutTheExpectedFilesSaysItChanged(@TempDir Path dir) throws Exception {
        assumeTrue(hasDpkgDeb(), "dpkg-deb not installed");
        Path deb = buildDeb(dir);
        DebianSource source = new DebianSource(ExternalTools.onPath(), deb.getParent(), SourcesLock.read(dir.resolve("l"), true));
        DebianSource.Package moved = new DebianSource.Package("demo-zh", "./usr/share/help/zh_CN/*.page");
        assertThatThrownBy(() -> source.documents(moved, deb, Files.createDirectories(dir.resolve("into"))))
                .hasMessageStartingWith(deb + ": the package no longer holds the expected files (tar: "
                        + "./usr/share/help/zh_CN/*.page: Not found in archive)");
    }
}
