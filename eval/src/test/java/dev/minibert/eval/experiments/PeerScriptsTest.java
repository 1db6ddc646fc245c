package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer's scripts: from minibert's checkout only, and a hung one killed after the timeout, naming it. */
class PeerScriptsTest {
    @TempDir
    Path tmp;

    @Test
    void aScriptStillRunningAfterTheTimeoutIsKilledAndNamed() throws IOException {
        assumeThat(Files.isExecutable(PeerScripts.PYTHON)).as(PeerScripts.PYTHON + " runs the peer").isTrue();
        Path scripts = Files.createDirectory(tmp.resolve("scripts"));
        Path pidFile = tmp.resolve("sleeper.pid");
        Files.writeString(scripts.resolve("peer_sleep.py"), "import os, sys, time\n"
                + "open(sys.argv[2], 'w').write(str(os.getpid()))\ntime.sleep(600)\n");
        Path peers = Files.createDirectory(scripts.resolve("peer"));
        Files.writeString(peers.resolve("torch_bert.py"), "");
        PeerScripts peer = PeerScripts.at(scripts, peers, Duration.ofSeconds(5));

        long start = System.nanoTime();
        assertThatThrownBy(() -> peer.run("peer_sleep.py", List.of(pidFile.toString()), tmp.resolve("out.jsonl")))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(scripts.resolve("peer_sleep.py") + " still ran after 5 s (--peer-timeout); "
                        + "killed it");

        assertThat((System.nanoTime() - start) / 1e9).as("seconds, not the script's ten minutes").isLessThan(60);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the script is gone").isFalse();
    }

    @Test
    void theScriptsAreMinibertsOwnWhateverTheCurrentFolder() {
        PeerScripts peer = PeerScripts.ofProject(null, PeerScripts.DEFAULT_TIMEOUT);
        assertThat(peer.scripts().resolve(PeerScripts.PRETRAIN)).isRegularFile();
        assertThat(peer.peers()).isEqualTo(peer.scripts().resolve("peer"));
        assertThat(peer.scripts().getParent().resolve("eval/src/main/java/dev/minibert/eval/experiments"
                + "/PeerScripts.java")).as("the checkout this class was built in").isRegularFile();
    }
}
