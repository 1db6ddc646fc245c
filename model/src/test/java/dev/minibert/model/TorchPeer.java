package dev.minibert.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer ({@code shared/peers}, beside the checkout) and Debian's {@code /usr/bin/python3} with torch:
 * tests that need them call {@link #assumeAvailable()} and are reported as skipped, never passed, without them.
 */
public final class TorchPeer {
    public static final String PYTHON = "/usr/bin/python3";

    private TorchPeer() {
    }

    /** shared/peers found from the working directory up, or skips the test. */
    public static Path assumeAvailable() {
        Path peers = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && peers == null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("peers");
            if (Files.isRegularFile(candidate.resolve("torch_bert.py"))) {
                peers = candidate;
            }
        }
        assumeTrue(peers != null, "shared/peers/torch_bert.py not found above " + Path.of("").toAbsolutePath());
        assumeTrue(torchImports(), PYTHON + " cannot import torch");
        return peers;
    }

    private static boolean torchImports() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
