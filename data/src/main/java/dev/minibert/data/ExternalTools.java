package dev.minibert.data;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The programs a fetch runs and the machine they run on: the PATH they are looked up in (tests pass one without
 * some of them), whether we are root (who may install what is missing), where apt keeps its package lists, and the
 * time any one program may take before it is killed.
 */
public record ExternalTools(List<Path> path, boolean root, Path aptLists, Duration timeout) {
    /** Long enough for apt-get to download 431 MB of packages on a slow line; a hung program still ends. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    public static ExternalTools onPath() {
        List<Path> dirs = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        return new ExternalTools(dirs, "root".equals(System.getProperty("user.name")), Path.of("/var/lib/apt/lists"),
                DEFAULT_TIMEOUT);
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

    /** The program's executable on this PATH, if there is one. */
    Optional<Path> find(String program) {
        return path.stream().map(d -> d.resolve(program)).filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
                .findFirst();
    }

    /** Whether apt-get has package lists to download from (a fresh container has none until apt-get update). */
    boolean hasAptLists() {
        try (var files = Files.list(aptLists)) {
            return files.anyMatch(f -> f.getFileName().toString().contains("_Packages"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs one command in {@code dir}, output and errors merged; {@code item} says what it was doing for the
     * messages (a program that is missing or runs past the timeout is named with it).
     */
    Result run(Path dir, List<String> command, String item) {
        ProcessBuilder pb = builder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = start(pb, item);
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        awaitAll(List.of(p), command.get(0), item);
        return new Result(p.exitValue(), plainName(output.join(), pb, command.get(0)));
    }

    /** {@code dpkg-deb --fsys-tarfile DEB | tar -x -C DIR --wildcards PATTERNS}: only the files we read. */
    void extractDeb(Path deb, Path into, List<String> patterns) {
        List<String> tarCommand = new ArrayList<>(List.of("tar", "-x", "-C", into.toString(), "--wildcards"));
        tarCommand.addAll(patterns);
        String item = "unpacking " + deb;
        List<ProcessBuilder> pipeline = List.of(builder(List.of("dpkg-deb", "--fsys-tarfile", deb.toString())),
                builder(tarCommand).redirectErrorStream(true));
        List<Process> processes;
        try {
            processes = ProcessBuilder.startPipeline(pipeline);
        } catch (IOException e) {
            // startPipeline does not say which program is missing: look them up for the message
            pipeline.forEach(pb -> executable(pb.command().get(0), item));
            throw new UncheckedIOException(item, e);
        }
        CompletableFuture<String> dpkgErrors = CompletableFuture.supplyAsync(() -> readAll(processes.get(0).getErrorStream()));
        CompletableFuture<String> tarOutput = CompletableFuture.supplyAsync(() -> readAll(processes.get(1).getInputStream()));
        awaitAll(processes, "dpkg-deb | tar", item);
        if (processes.get(0).exitValue() != 0) {
            throw new FetchException(deb + ": dpkg-deb cannot read it (" + dpkgErrors.join().strip()
                    + "); the download is damaged: delete it and fetch again");
        }
        if (processes.get(1).exitValue() != 0) {
            throw new FetchException(deb + ": the package no longer holds the expected files ("
                    + new Result(1, plainName(tarOutput.join(), pipeline.get(1), "tar")).firstError() + "); it changed since minibert was written");
        }
    }

    private ProcessBuilder builder(List<String> command) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, command.get(0).contains("/") ? command.get(0) : find(command.get(0)).map(Path::toString)
                .orElse(command.get(0)));
        ProcessBuilder pb = new ProcessBuilder(resolved);
        pb.environment().put("PATH", path.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        return pb;
    }

    /** Programs prefix their messages with how they were called: the name, as a user would, not our resolved path. */
    private static String plainName(String output, ProcessBuilder pb, String program) {
        return output.replace(pb.command().get(0) + ": ", program + ": ");
    }

    /** Waits for every process until the one deadline; past it, kills them and their children and says so. */
    private void awaitAll(List<Process> processes, String program, String item) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Process p : processes) {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    processes.forEach(ExternalTools::kill);
                    throw new FetchException(program + " timed out after " + timeout.toSeconds() + " s while " + item
                            + "; it was stopped (check the network, or fetch elsewhere and pass --from DIR)");
                }
            }
        } catch (InterruptedException e) {
            processes.forEach(ExternalTools::kill);
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while " + item + " (" + program + ")");
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process start(ProcessBuilder pb, String item) {
        executable(pb.command().get(0), item);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new FetchException(pb.command().get(0) + " cannot be started while " + item + " (" + e.getMessage() + ")");
        }
    }

    /** Fails with what to install when a program is not there (Requirements normally found that out up front). */
    private void executable(String program, String item) {
        boolean found = program.contains("/") ? Files.isExecutable(Path.of(program)) : find(program).isPresent();
        if (!found) {
            throw new FetchException(program + " is not installed or not on PATH (needed for " + item + "): "
                    + Requirements.installHint(List.of(Path.of(program).getFileName().toString())));
        }
    }
}
