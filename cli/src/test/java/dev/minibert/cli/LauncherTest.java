package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real {@code ./minibert} launcher, copied into a scratch checkout and run by bash with a fake JDK in
 * JAVA_HOME and a fake {@code mvn} on PATH: which Java it runs, what it refuses, what a first build shows.
 */
class LauncherTest {
    private static final String VERSION = VersionTest.pomVersion();
    /** The jar the launcher runs, named with the version it reads from the pom (through scripts/version.sh). */
    private static final String JAR = "cli/target/minibert-cli-" + VERSION + ".jar";

    @TempDir
    Path tmp;

    private Path checkout;
    private Path jdk;
    private Path bin;

    private record Result(int exit, String stderr) {
    }

    private void setUp(String javaVersion, boolean built) throws IOException {
        checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(Path.of("..", "minibert"), checkout.resolve("minibert"));
        executable(checkout.resolve("minibert"), Files.readString(checkout.resolve("minibert")));
        // the version's one source and its reader, older than the jar so that nothing is rebuilt
        Files.createDirectories(checkout.resolve("scripts"));
        Files.copy(Path.of("..", "scripts", "version.sh"), checkout.resolve("scripts/version.sh"));
        executable(checkout.resolve("scripts/version.sh"), Files.readString(checkout.resolve("scripts/version.sh")));
        Files.copy(Path.of("..", "pom.xml"), checkout.resolve("pom.xml"));
        Files.setLastModifiedTime(checkout.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(60)));
        jdk = Files.createDirectories(tmp.resolve("jdk/bin")).getParent();
        // the fake java answers -version like OpenJDK and otherwise records the command line it was given
        executable(jdk.resolve("bin/java"), "#!/bin/sh\n"
                + "if [ \"$1\" = -version ]; then echo 'openjdk version \"" + javaVersion + "\" 2023-10-17' >&2; exit 0; fi\n"
                + "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args\"\n");
        executable(jdk.resolve("bin/javac"), "#!/bin/sh\n");
        bin = Files.createDirectories(tmp.resolve("bin"));
        if (built) {
            Files.createDirectories(checkout.resolve("cli/target"));
            Files.writeString(checkout.resolve(JAR), "");
            Files.writeString(checkout.resolve("cli/target/classpath.txt"), "/deps/a.jar");
        }
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        assertThat(file.toFile().setExecutable(true)).isTrue();
    }

    private Result launch(String javaHome) throws Exception {
        return launch(javaHome, "--version");
    }

    private Result launch(String javaHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(checkout.resolve("minibert").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), err);
    }

    @Test
    void runsTheJavaInJavaHome() throws Exception {
        setUp("17.0.9", true);
        Result r = launch(jdk.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        List<String> args = Files.readAllLines(jdk.resolve("bin/args"));
        assertThat(args).containsSubsequence("-cp", checkout.resolve(JAR) + ":/deps/a.jar",
                "dev.minibert.cli.Minibert", "--version");
    }

    @Test
    void pretrainOnSparkAddsSparksJarsAndTheJvmOptionsSparkSubmitWould() throws Exception {
        setUp("17.0.9", true); // with the pom, the options' one source
        Files.createDirectories(checkout.resolve("distributed/target"));
        Files.writeString(checkout.resolve("distributed/target/spark-classpath.txt"), "/spark/core.jar");
        Result r = launch(jdk.toString(), "pretrain", "--spark", "local[2]");
        assertThat(r.exit()).as(r.stderr()).isZero();
        List<String> args = Files.readAllLines(jdk.resolve("bin/args"));
        assertThat(args).contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false")
                .containsSubsequence("-cp", checkout.resolve(JAR) + ":/deps/a.jar:/spark/core.jar",
                        "dev.minibert.cli.Minibert", "pretrain", "--spark", "local[2]");
        launch(jdk.toString(), "pretrain");
        assertThat(Files.readAllLines(jdk.resolve("bin/args"))).as("without --spark").doesNotContain(
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED").contains(checkout.resolve(JAR) + ":/deps/a.jar");
    }

    @ParameterizedTest
    @ValueSource(strings = {"11.0.21", "1.8.0_392"})
    void refusesAJavaOlderThan17InOneLine(String old) throws Exception {
        setUp(old, true);
        Result r = launch(jdk.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("minibert: Java 17 or newer is needed; " + jdk.resolve("bin/java")
                + " is Java " + old + ": install openjdk-17-jdk-headless or set JAVA_HOME to a newer JDK\n");
        assertThat(jdk.resolve("bin/args")).doesNotExist();
    }

    @Test
    void refusesAJavaHomeWithoutJava() throws Exception {
        setUp("17.0.9", true);
        Result r = launch(tmp.resolve("nowhere").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("minibert: JAVA_HOME=" + tmp.resolve("nowhere")
                + " has no bin/java; point it at a Java 17 (or newer) JDK or unset it\n");
    }

    @Test
    void aFirstBuildShowsModulesAndDownloadsInsteadOfSilence() throws Exception {
        setUp("21", false);
        StringBuilder maven = new StringBuilder("[INFO] Scanning for projects...\n");
        for (int i = 1; i <= 150; i++) {
            maven.append("[INFO] Downloading from central: https://repo.maven.apache.org/maven2/a/").append(i).append(".jar\n")
                    .append("[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/a/").append(i)
                    .append(".jar (1024 kB at 2.0 MB/s)\n");
        }
        maven.append("[INFO] Building minibert tokenizer " + VERSION + "                         [2/8]\n")
                .append("[INFO] Compiling 12 source files with javac\n")
                .append("[ERROR] something Maven says\n");
        Files.writeString(tmp.resolve("maven.log"), maven);
        // like the real build, the fake one leaves the cli jar and its classpath behind
        executable(bin.resolve("mvn"), "#!/bin/sh\ncat " + tmp.resolve("maven.log") + "\n"
                + "mkdir -p " + checkout.resolve("cli/target") + "\n"
                + ": > " + checkout.resolve(JAR) + "\n"
                + "echo /deps/a.jar > " + checkout.resolve("cli/target/classpath.txt") + "\n");

        Result r = launch(jdk.toString());

        assertThat(r.exit()).as(r.stderr()).isZero();
        // 150 files of 1024 kB: 100 MB at the hundredth, 150 MB in all
        assertThat(r.stderr().lines()).containsExactly(
                "minibert: building (mvn package, tests skipped; full log in " + checkout.resolve("target/build.log") + ")...",
                "minibert: downloaded 100 files (100 MB) from Maven repositories so far",
                "minibert: building minibert tokenizer " + VERSION + " [2/8]",
                "[ERROR] something Maven says",
                "minibert: downloaded 150 files (150 MB) in all");
        assertThat(checkout.resolve("target/build.log")).hasContent(maven.toString().strip());
        assertThat(jdk.resolve("bin/args")).exists();
    }

    @Test
    void aFailedBuildSaysWhereItsLogIsAndRunsNothing() throws Exception {
        setUp("17.0.9", true);
        // a pom newer than the jar makes the launcher rebuild
        Files.setLastModifiedTime(checkout.resolve(JAR), FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(checkout.resolve("pom.xml"), FileTime.from(Instant.now()));
        executable(bin.resolve("mvn"), "#!/bin/sh\necho '[ERROR] COMPILATION ERROR'\nexit 3\n");

        Result r = launch(jdk.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).endsWith("[ERROR] COMPILATION ERROR\nminibert: the build failed (mvn exit 3); see "
                + checkout.resolve("target/build.log") + "\n");
        assertThat(jdk.resolve("bin/args")).doesNotExist();
    }

    @Test
    void refusesToBuildWithAJavaThatHasNoCompiler() throws Exception {
        setUp("17.0.9", false);
        Files.delete(jdk.resolve("bin/javac"));
        executable(bin.resolve("mvn"), "#!/bin/sh\ntouch " + tmp.resolve("mvn-ran") + "\n");

        Result r = launch(jdk.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("minibert: " + jdk.resolve("bin/java")
                + " has no javac beside it; building needs a JDK (apt-get install openjdk-17-jdk-headless)\n");
        assertThat(tmp.resolve("mvn-ran")).doesNotExist();
    }
}
