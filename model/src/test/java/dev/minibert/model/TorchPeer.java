package dev.minibert.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The project's PyTorch reference ({@code scripts/peer/torch_bert.py} in this repository) run by Debian's
 * {@code /usr/bin/python3} with torch: tests that need it call {@link #assumeAvailable()} and are reported as
 * skipped, with the reason, never passed, where torch is missing.
 */
public final class TorchPeer {
    public static final String PYTHON = "/usr/bin/python3";

    private TorchPeer() {
    }

    /** The folder holding torch_bert.py, found from the working directory (a module's) up; skips without torch. */
    public static Path assumeAvailable() {
        Path peer = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && peer == null; d = d.getParent()) {
            Path candidate = d.resolve("scripts").resolve("peer");
            if (Files.isRegularFile(candidate.resolve("torch_bert.py"))) {
                peer = candidate;
            }
        }
        // the script is part of the checkout: its absence is a broken checkout, not a reason to skip
        if (peer == null) {
            throw new IllegalStateException("scripts/peer/torch_bert.py not found above " + Path.of("").toAbsolutePath());
        }
        assumeTrue(torchImports(), "skipped: " + PYTHON + " cannot import torch (apt-get install python3-torch;"
                + " see docs/testing.md)");
        return peer;
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
