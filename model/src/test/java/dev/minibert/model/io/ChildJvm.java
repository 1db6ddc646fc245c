package dev.minibert.model.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real second JVM on this test's classpath, for crash and concurrency tests (kill -9 is destroyForcibly). */
public final class ChildJvm {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final CompletableFuture<Void> signalled = new CompletableFuture<>();
    private final String signal;
    private final Thread reader;

    private ChildJvm(Process process, String signal) {
        this.process = process;
        this.signal = signal;
        reader = new Thread(this::drain, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code java [jvmOptions] mainClass args} in {@code workDir}; {@link #awaitSignal} waits for a line of
     * its output containing {@code signal}.
     */
    public static ChildJvm start(Path workDir, List<String> jvmOptions, String mainClass, String signal,
            List<String> args) throws IOException {
        return start(workDir, jvmOptions, mainClass, signal, args, List.of());
    }

    /** As {@link #start(Path, List, String, String, List)}, without the named environment variables. */
    public static ChildJvm start(Path workDir, List<String> jvmOptions, String mainClass, String signal,
            List<String> args, List<String> unsetEnvironment) throws IOException {
        return start(workDir, jvmOptions, mainClass, signal, args, unsetEnvironment, Map.of());
    }

    /** As {@link #start(Path, List, String, String, List)}, with these environment variables set (or replaced). */
    public static ChildJvm start(Path workDir, List<String> jvmOptions, String mainClass, String signal,
            List<String> args, Map<String, String> setEnvironment) throws IOException {
        return start(workDir, jvmOptions, mainClass, signal, args, List.of(), setEnvironment);
    }

    private static ChildJvm start(Path workDir, List<String> jvmOptions, String mainClass, String signal,
            List<String> args, List<String> unsetEnvironment, Map<String, String> setEnvironment) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        unsetEnvironment.forEach(builder.environment()::remove);
        builder.environment().putAll(setEnvironment);
        return new ChildJvm(builder.start(), signal);
    }

    private void drain() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
                if (signal != null && line.contains(signal)) {
                    signalled.complete(null);
                }
            }
        } catch (IOException e) {
            // the child was killed: what it printed so far is in output
        }
        signalled.completeExceptionally(new AssertionError("child exited without printing \"" + signal + "\":\n"
                + output));
    }

    /** Waits (at most two minutes) until the child prints the signal line. */
    public void awaitSignal() throws Exception {
        signalled.get(120, TimeUnit.SECONDS);
    }

    /** kill -9, then waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** Waits for the child to exit (at most five minutes) and returns its exit code. */
    public int exitCode() throws InterruptedException {
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child still running after 300 s:\n" + output);
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the child printed on stdout and stderr (all of it once it has exited). */
    public String output() throws InterruptedException {
        if (!process.isAlive()) {
            reader.join(10_000);
        }
        return output.toString();
    }
}
