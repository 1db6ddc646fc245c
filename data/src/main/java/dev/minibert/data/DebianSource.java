package dev.minibert.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Chinese documentation from Debian packages: {@code apt-get download NAME=VERSION} at the versions pinned in
 * data/sources.lock (no root needed once the package lists exist) or .deb files the user already has, unpacked with
 * dpkg-deb and tar, read as documents.
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

    static final String REGISTRY = "debian";
    /** apt-get's words when a pinned version is no longer in the package lists (a newer one replaced it). */
    private static final Pattern VERSION_GONE = Pattern.compile("Version '([^']+)' for '([^']+)' was not found");

    private final ExternalTools tools;
    private final Path from;
    private final SourcesLock lock;

    /** @param from a folder of already-downloaded .deb files, or null to download with apt-get */
    DebianSource(ExternalTools tools, Path from, SourcesLock lock) {
        this.tools = tools;
        this.from = from;
        this.lock = lock;
    }

    /**
     * The .deb of every package at its pinned version (the newest one while updating the lock), downloaded into
     * {@code work} unless --from has them; each checked against the lock and recorded in {@code used}.
     */
    List<Path> debs(List<Package> packages, Path work, List<PackageRecord> used) {
        if (from == null) {
            List<String> command = new ArrayList<>(List.of("apt-get", "download"));
            for (Package p : packages) {
                String pinned = lock.version(REGISTRY, p.name());
                command.add(pinned == null ? p.name() : p.name() + "=" + pinned);
            }
            ExternalTools.Result r = tools.run(work, command, "downloading " + packages.size() + " Debian packages");
            if (!r.ok()) {
                throw aptFailure(r, lock);
            }
        }
        Path dir = from == null ? work : from;
        List<Path> debs = new ArrayList<>();
        for (Package p : packages) {
            String version = lock.version(REGISTRY, p.name());
            // apt-get names a download NAME_VERSION_ARCH.deb, the epoch's colon written %3a
            String glob = p.name() + "_" + (version == null ? "*" : version.replace(":", "%3a")) + "_*.deb";
            Path deb = Downloads.single(dir, glob, "Debian package " + p.name());
            if (version == null) {
                ExternalTools.Result v = tools.run(work, List.of("dpkg-deb", "-f", deb.toString(), "Version"),
                        "reading the version of " + deb);
                if (!v.ok()) {
                    throw new FetchException(deb + ": dpkg-deb cannot read its version (" + v.firstError() + ")");
                }
                version = v.output().strip();
            }
            PackageRecord record = new PackageRecord(REGISTRY, p.name(), version, deb.getFileName().toString(),
                    Hashing.size(deb), Hashing.sha256(deb));
            lock.check(record);
            used.add(record);
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

    private static FetchException aptFailure(ExternalTools.Result r, SourcesLock lock) {
        String out = r.output();
        String hint = "; or download the .deb files elsewhere and pass --from DIR";
        Matcher gone = VERSION_GONE.matcher(out);
        if (gone.find()) {
            return new FetchException("the Debian archive no longer serves " + gone.group(2) + " " + gone.group(1)
                    + ", the version pinned in " + lock.file() + " (" + r.firstError() + "): re-pin to what it serves now "
                    + "with 'minibert data fetch --what all --update-lock', or bring that .deb with --from DIR");
        }
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
