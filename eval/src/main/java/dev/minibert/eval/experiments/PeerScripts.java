package dev.minibert.eval.experiments;

import dev.minibert.model.io.AtomicFiles;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The repository's PyTorch peer scripts ({@code scripts/peer_*.py}) and the peer model they import (DESIGN.md's
 * {@code torch_bert.py}), run by {@code /usr/bin/python3} when it has torch. {@link #missing} says why the peer
 * cannot run, so a report states it instead of leaving the peer out silently; a python without torch shows when the
 * script runs ({@link #run} returns false), which saves a separate import of torch (seconds).
 *
 * @param declined why the peer is not wanted (e.g. --no-peer), or null
 */
public record PeerScripts(Path scripts, Path peers, String declined) {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    public static PeerScripts at(Path scripts, Path peers) {
        return new PeerScripts(scripts.toAbsolutePath(), peers.toAbsolutePath(), null);
    }

    /** A setup without a peer, and the reason. */
    public static PeerScripts none(String why) {
        return new PeerScripts(null, null, why);
    }

    /** Why the peer cannot run: declined, the scripts or the peers folder, or python missing; null when it can. */
    public String missing() {
        return declined != null ? declined
                : !Files.isRegularFile(scripts.resolve("peer_attenuation.py"))
                ? scripts + ": no peer_attenuation.py (run from the repository root)"
                : !Files.isRegularFile(peers.resolve("torch_bert.py"))
                ? peers + ": no torch_bert.py (the shared PyTorch peers; pass --peers)"
                : !Files.isExecutable(PYTHON) ? PYTHON + " not found" : null;
    }

    /**
     * The corpus as {@code minibert tokenize} JSON lines ({"input_ids": [...]}, a blank line as [CLS][SEP]), the
     * peer scripts' input, written to {@code file}.
     */
    static void tokenize(Path corpus, Path vocab, Path file) throws IOException {
        BertTokenizer tokenizer = new BertTokenizer(Vocab.read(vocab), true);
        String lines = Files.readAllLines(corpus, StandardCharsets.UTF_8).stream()
                .map(l -> "{\"input_ids\":" + Arrays.toString(tokenizer.encode(l, null, EncodeOptions.NONE)
                        .inputIds()).replace(" ", "") + "}")
                .collect(Collectors.joining("\n", "", "\n"));
        AtomicFiles.write(file, lines.getBytes(StandardCharsets.UTF_8));
    }

    /** What {@link #run}'s caller reports when python has no torch. */
    static final String NO_TORCH = PYTHON + " cannot import torch (apt-get install python3-torch)";

    /**
     * Runs {@code script} with {@code args} after the peers folder; its stdout (JSON lines) goes to {@code out}, its
     * stderr to {@code out} with ".log". False when python has no torch; any other failure names the log.
     */
    boolean run(String script, List<String> args, Path out) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), scripts.resolve(script).toString(),
                peers.toString()));
        command.addAll(args);
        Path log = out.resolveSibling(out.getFileName() + ".log");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        try {
            int rc = p.waitFor();
            if (rc != 0 && Files.readString(log, StandardCharsets.UTF_8).contains("No module named 'torch'")) {
                Files.delete(out); // empty; the log says why
                return false;
            }
            if (rc != 0) {
                throw new IOException(script + " exited with " + rc + "; see " + log);
            }
            return true;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException(script + " interrupted", e);
        }
    }
}
