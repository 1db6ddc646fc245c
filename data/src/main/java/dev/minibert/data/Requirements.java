package dev.minibert.data;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that says which programs, and so which Debian packages, each part of a fetch needs (documented in
 * docs/requirements.md), and that makes sure they are there before anything is downloaded: as root, by installing
 * exactly those packages; otherwise by one message listing everything missing at once.
 */
public final class Requirements {

    /** A program a fetch runs and the Debian package that provides it. */
    enum Tool {
        APT_GET("apt-get", "apt"), DPKG_DEB("dpkg-deb", "dpkg"), TAR("tar", "tar"), NPM("npm", "npm"), MVN("mvn", "maven");

        final String program;
        final String debianPackage;

        Tool(String program, String debianPackage) {
            this.program = program;
            this.debianPackage = debianPackage;
        }
    }

    private Requirements() {
    }

    /** The programs that building {@code parts} runs; with --from nothing is downloaded from Debian or npm. */
    static Set<Tool> tools(Set<DataFetch.Part> parts, boolean fromFolder) {
        Set<Tool> tools = EnumSet.noneOf(Tool.class);
        for (DataFetch.Part p : parts) {
            switch (p) {
                case CORPUS, TOPIC -> tools.addAll(fromFolder ? EnumSet.of(Tool.DPKG_DEB, Tool.TAR)
                        : EnumSet.of(Tool.APT_GET, Tool.DPKG_DEB, Tool.TAR));
                case POETRY -> tools.addAll(fromFolder ? EnumSet.of(Tool.TAR) : EnumSet.of(Tool.NPM, Tool.TAR));
                case VOCAB, WEIGHTS -> tools.add(Tool.MVN);
            }
        }
        return tools;
    }

    /**
     * The Debian packages a fetch of {@code parts} into an empty cache needs (the parts they are built from
     * included): what {@code apt-get install} needs for them.
     */
    public static List<String> debianPackages(Set<DataFetch.Part> parts, boolean fromFolder) {
        return tools(DataFetch.withPrerequisites(parts), fromFolder).stream().map(t -> t.debianPackage).toList();
    }

    /**
     * Makes sure every program the parts need is on the PATH, and that apt-get has package lists when it downloads.
     * As root with apt-get: {@code apt-get update} when the lists are missing, then {@code apt-get install -y} of
     * exactly the missing packages (printed first). Otherwise one error naming everything missing and the command.
     */
    static void ensure(Set<DataFetch.Part> parts, boolean fromFolder, ExternalTools tools, PrintStream log) {
        Set<Tool> needed = tools(parts, fromFolder);
        boolean needsLists = needed.contains(Tool.APT_GET) && !tools.hasAptLists();
        List<Tool> missing = missing(needed, tools);
        if (missing.isEmpty() && !needsLists) {
            return;
        }
        if (tools.root() && tools.find(Tool.APT_GET.program).isPresent()) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            if (needsLists || !missing.isEmpty() && !tools.hasAptLists()) {
                log.println("apt-get has no package lists: running apt-get update");
                runApt(tools, dir, List.of("apt-get", "update"), "updating the package lists");
            }
            if (!missing.isEmpty()) {
                List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
                missing.forEach(t -> install.add(t.debianPackage));
                log.println("installing what the fetch needs: " + String.join(" ", install));
                runApt(tools, dir, install, "installing " + String.join(" ", install.subList(4, install.size())));
            }
            missing = missing(needed, tools);
            if (missing.isEmpty()) {
                return;
            }
        }
        throw new FetchException(message(missing, needsLists && !tools.root()));
    }

    private static List<Tool> missing(Set<Tool> needed, ExternalTools tools) {
        return needed.stream().filter(t -> tools.find(t.program).isEmpty()).toList();
    }

    private static void runApt(ExternalTools tools, Path dir, List<String> command, String item) {
        ExternalTools.Result r = tools.run(dir, command, item);
        if (!r.ok()) {
            throw new FetchException("apt-get failed while " + item + " (" + r.firstError() + ")");
        }
    }

    private static String message(List<Tool> missing, boolean needsLists) {
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add("missing " + String.join(", ", missing.stream().map(t -> t.program).toList()) + ": "
                    + installHint(missing.stream().map(t -> t.program).toList()));
        }
        if (needsLists) {
            parts.add("apt-get has no package lists: run 'apt-get update' as root");
        }
        return "data fetch cannot start: " + String.join("; ", parts);
    }

    /** The install line for the missing programs, and the way around apt-get and npm (--from) when they are missing. */
    static String installHint(List<String> programs) {
        List<String> packages = new ArrayList<>();
        for (Tool t : Tool.values()) {
            if (programs.contains(t.program)) {
                packages.add(t.debianPackage);
            }
        }
        String hint = "install them as root with 'apt-get install -y " + String.join(" ", packages) + "'";
        if (programs.contains(Tool.APT_GET.program) || programs.contains(Tool.NPM.program)) {
            hint += " (without apt-get or npm, fetch the files elsewhere and pass --from DIR; "
                    + "'minibert data fetch --list' names them)";
        }
        return hint;
    }
}
