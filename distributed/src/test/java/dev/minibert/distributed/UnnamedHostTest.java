package dev.minibert.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.io.ChildJvm;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine whose own name does not resolve (found by the fresh-machine check: a chroot without its name in
 * /etc/hosts), simulated with the JDK's hosts-file resolver holding only localhost.
 */
class UnnamedHostTest {
    @TempDir
    Path tmp;

    @Test
    void localSparkRunsAndAClusterIsRefusedNamingTheCause() throws Exception {
        Path hosts = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 localhost\n");
        List<String> options = new ArrayList<>(SparkDriverMain.sparkJavaOptions());
        options.add("-Djdk.net.hosts.file=" + hosts);
        ChildJvm child = ChildJvm.start(tmp, options, UnnamedHostMain.class.getName(), null, List.of(), List.of(
                "SPARK_LOCAL_IP", "SPARK_LOCAL_HOSTNAME"));
        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.output()).contains("sum 55").containsPattern(
                "refused: --spark spark://127\\.0\\.0\\.1:\\d+: this machine's name does not resolve \\("
                        + InetAddress.getLocalHost().getHostName() + ".*\\); add it to /etc/hosts or set SPARK_LOCAL_IP");
    }
}
