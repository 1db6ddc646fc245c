package dev.minibert.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Chinese documentation from Debian packages: {@code apt-get download} (no root needed once the package lists
 * exist) or .deb files the user already has, unpacked with dpkg-deb and tar, read as documents.
 */
final class DebianSource {

    /** A package and the files in it that hold Chinese text (tar wildcards over its data archive). */
    record Package(String name, List<String> patterns) {
        Package(String name, String... patterns) {
            this(name, List.of(patterns));
        }
    }

    static final Package LIBREOFFICE_HELP = new Package("libreoffice-help-zh-cn",
            "./usr/share/libreoffice/help/zh-CN/text/*.html");

    private static final String WESNOTH_MO = "./usr/share/games/wesnoth/1.16/locale/zh_CN/LC_MESSAGES/*.mo";

    /** The pretraining corpus's packages: modern Chinese prose (software documentation, game dialogue, quotes). */
    static final List<Package> CORPUS = corpusPackages();

    private static List<Package> corpusPackages() {
        List<Package> p = new ArrayList<>(List.of(
                new Package("debian-handbook", "./usr/share/doc/debian-handbook/html/zh-CN/*.html"),
                new Package("debian-reference-zh-cn", "./usr/share/debian-reference/*.zh-cn.html"),
                new Package("debian-faq-zh-cn", "./usr/share/doc/debian/FAQ/zh-cn/*.html"),
                new Package("installation-guide-amd64", "./usr/share/doc/installation-guide-amd64/zh_CN/*.html"),
                new Package("maint-guide-zh-cn", "./usr/share/doc/maint-guide-zh-cn/html/*.html"),
                new Package("debian-edu-doc-zh-cn", "./usr/share/doc/debian-edu-doc-zh-cn/debian-edu-bookworm-manual.html"),
                new Package("lilypond-doc-html-zh", "./usr/share/doc/lilypond/html/*.zh.html"),
                new Package("gimp-help-zh-cn", "./usr/share/gimp/2.0/help/zh_CN/*.html"),
                new Package("gnome-user-docs", "./usr/share/help/zh_CN/*.page"),
                LIBREOFFICE_HELP,
                new Package("manpages-zh", "./usr/share/man/zh_CN/*"),
                new Package("fortunes-zh", "./usr/share/games/fortunes/chinese"),
                new Package("freeciv-data", "./usr/share/locale/zh_CN/LC_MESSAGES/*.mo"),
                new Package("wesnoth-1.16-data", WESNOTH_MO, "./usr/share/doc/wesnoth-1.16-data/manual.zh_CN.html")));
        for (String campaign : List.of("did", "dm", "dw", "ei", "httt", "l", "low", "nr", "sof", "sota", "sotbe",
                "thot", "trow", "tsg", "ttb", "utbs")) {
            p.add(new Package("wesnoth-1.16-" + campaign, WESNOTH_MO));
        }
        return List.copyOf(p);
    }

    private final ExternalTools tools;
    private final Path from;

    /** @param from a folder of already-downloaded .deb files, or null to download with apt-get */
    DebianSource(ExternalTools tools, Path from) {
        this.tools = tools;
        this.from = from;
    }

    /** The .deb of every package, downloaded into {@code work} unless --from has them; recorded in {@code used}. */
    List<Path> debs(List<Package> packages, Path work, List<PackageRecord> used) {
        if (from == null) {
            List<String> command = new ArrayList<>(List.of(tools.aptGet(), "download"));
            packages.forEach(p -> command.add(p.name()));
            ExternalTools.Result r = tools.run(work, command);
            if (!r.ok()) {
                throw aptFailure(r);
            }
        }
        Path dir = from == null ? work : from;
        List<Path> debs = new ArrayList<>();
        for (Package p : packages) {
            Path deb = Downloads.single(dir, p.name() + "_*.deb", "Debian package " + p.name());
            ExternalTools.Result version = tools.run(work, List.of(tools.dpkgDeb(), "-f", deb.toString(), "Version"));
            if (!version.ok()) {
                throw new FetchException(deb + ": not a readable .deb (" + version.firstError() + ")");
            }
            used.add(new PackageRecord("debian", p.name(), version.output().strip(), deb.getFileName().toString(),
                    Hashing.size(deb), Hashing.sha256(deb)));
            debs.add(deb);
        }
        return debs;
    }

    /** Unpacks the package's text files into {@code into} and reads them, one document per file, in path order. */
    List<SourceDocument> documents(Package p, Path deb, Path into) {
        tools.extractDeb(deb, into, p.patterns());
        List<SourceDocument> docs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(into)) {
            for (Path f : walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                String path = into.relativize(f).toString();
                List<String> paragraphs;
                try {
                    paragraphs = TextFormat.of(path).paragraphs(Files.readAllBytes(f));
                } catch (IllegalArgumentException e) {
                    throw new FetchException(p.name() + ": " + path + ": " + e.getMessage());
                }
                docs.add(new SourceDocument(p.name() + ":" + path, p.name(), path, paragraphs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(into + ": cannot read the unpacked files", e);
        }
        return docs;
    }

    private static FetchException aptFailure(ExternalTools.Result r) {
        String out = r.output();
        String hint = "; or download the .deb files elsewhere and pass --from DIR";
        if (out.contains("Unable to locate package") || out.contains("has no installation candidate")) {
            return new FetchException("apt-get does not know a package (" + r.firstError()
                    + "): run 'apt-get update' (as root) to refresh the package lists" + hint);
        }
        if (out.contains("Failed to fetch") || out.contains("Could not resolve") || out.contains("Temporary failure")
                || out.contains("Unable to connect") || out.contains("Could not connect")) {
            return new FetchException("cannot reach the Debian archive (" + r.firstError()
                    + "): check the network and apt sources" + hint);
        }
        return new FetchException("apt-get download failed (" + r.firstError() + ")" + hint);
    }
}
