package dev.minibert.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The programs a fetch runs, by name or path (tests point one at a path that does not exist). A program that is not
 * installed fails with what to install and how to do without it.
 */
public record ExternalTools(String aptGet, String dpkgDeb, String tar, String npm, String mvn) {

    public static ExternalTools onPath() {
        return new ExternalTools("apt-get", "dpkg-deb", "tar", "npm", "mvn");
    }

    /** What a command printed, and how it ended. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The first line that looks like an error, else the first line: what a one-line message should quote. */
        public String firstError() {
            List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return lines.stream().filter(l -> l.startsWith("E:") || l.startsWith("npm ERR!") || l.startsWith("npm error")
                    || l.startsWith("[ERROR]")).findFirst().orElse(lines.isEmpty() ? "no output" : lines.get(0));
        }
    }

    /** Runs one command in {@code dir}, output and errors merged. */
    Result run(Path dir, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = start(pb, command.get(0));
        try (InputStream in = p.getInputStream()) {
            String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while running " + command.get(0));
        }
    }

    /** {@code dpkg-deb --fsys-tarfile DEB | tar -x -C DIR --wildcards PATTERNS}: only the files we read. */
    void extractDeb(Path deb, Path into, List<String> patterns) {
        List<String> tarCommand = new ArrayList<>(List.of(tar, "-x", "-C", into.toString(), "--wildcards"));
        tarCommand.addAll(patterns);
        List<ProcessBuilder> pipeline = List.of(
                new ProcessBuilder(dpkgDeb, "--fsys-tarfile", deb.toString()),
                new ProcessBuilder(tarCommand).redirectErrorStream(true));
        List<Process> processes;
        try {
            processes = ProcessBuilder.startPipeline(pipeline);
        } catch (IOException e) {
            // startPipeline does not say which program is missing: try them one at a time for the message
            for (ProcessBuilder pb : pipeline) {
                start(new ProcessBuilder(pb.command().get(0), "--version"), pb.command().get(0)).destroy();
            }
            throw new UncheckedIOException(e);
        }
        try {
            CompletableFuture<String> dpkgErrors = CompletableFuture.supplyAsync(() -> readAll(processes.get(0).getErrorStream()));
            String tarOutput = readAll(processes.get(1).getInputStream());
            int tarExit = processes.get(1).waitFor();
            int dpkgExit = processes.get(0).waitFor();
            if (dpkgExit != 0) {
                throw new FetchException(deb + ": dpkg-deb cannot read it (" + dpkgErrors.join().strip()
                        + "); the download is damaged: delete it and fetch again");
            }
            if (tarExit != 0) {
                throw new FetchException(deb + ": the package no longer holds the expected files ("
                        + new Result(tarExit, tarOutput).firstError() + "); it changed since minibert was written");
            }
        } catch (InterruptedException e) {
            processes.forEach(Process::destroyForcibly);
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while unpacking " + deb);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process start(ProcessBuilder pb, String program) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new FetchException(program + " is not installed or not on PATH: " + installHint(program));
        }
    }

    /** What to install for a missing program, or how to bring the files another way. */
    String installHint(String program) {
        if (program.equals(aptGet)) {
            return "fetching Debian packages needs apt-get (Debian/Ubuntu); elsewhere download the .deb files "
                    + "(minibert data fetch --list names them) and pass --from DIR";
        }
        if (program.equals(dpkgDeb)) {
            return "unpacking .deb files needs dpkg-deb: install the dpkg package";
        }
        if (program.equals(npm)) {
            return "fetching chinese-poetry needs npm: install Node.js and npm (apt-get install npm), or run "
                    + "'npm pack " + PoetryDynasty.PACKAGE + "' elsewhere and pass --from DIR";
        }
        if (program.equals(mvn)) {
            return "resolving the bert-base-chinese vocabulary and weights needs Maven: install it (apt-get install maven)";
        }
        return "install " + program;
    }
}
