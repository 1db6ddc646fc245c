package dev.minibert.eval.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.eval.MetricsLog;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.ProjectFolder;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The repository's PyTorch peer scripts ({@code scripts/peer_*.py}) and the peer model they import
 * ({@code scripts/peer/torch_bert.py}, described in docs/design.md), run by {@code /usr/bin/python3} when it has
 * torch. {@link #missing} says why the peer cannot run, so a report states it instead of leaving the peer out
 * silently; a python without torch shows when the script runs ({@link #run} throws {@link NotRun} with
 * {@code NO_TORCH}), which saves a separate import of torch (seconds).
 *
 * @param declined why the peer is not wanted (e.g. --no-peer), or null
 * @param timeout  the longest one script may run before it is killed ({@link #DEFAULT_TIMEOUT} unless given)
 */
public record PeerScripts(Path scripts, Path peers, String declined, Duration timeout) {
    /**
     * Generous: two hours, far longer than a peer run at the experiments' budgets (each sized to minutes), so a
     * script still running then is taken as hung (a blocked read, a deadlock), not slow.
     */
    public static final long DEFAULT_TIMEOUT_MINUTES = 120;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(DEFAULT_TIMEOUT_MINUTES);
    static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Pretrains the peer with the experiments' recipe, logging loss, gradient norms and gammas every step. */
    static final String PRETRAIN = "peer_pretrain.py";
    /** The peer's per-layer input-gradient norms at init, for every initializer of init-std. */
    static final String INIT_STD = "peer_init_std.py";
    /** Finetunes the peer from a model directory; with --drift it prints each part's relative weight change. */
    static final String FINETUNE = "peer_finetune.py";
    /**
     * torch's threads for every peer script (theirs default to 2): with two, torch's OpenMP threads spin while the
     * cores are busy with other work, and a 6-layer step took 8 times as long as with one (docs/experiments-method.md,
     * "The PyTorch peer on this machine").
     */
    static final String THREADS = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static PeerScripts at(Path scripts, Path peers) {
        return at(scripts, peers, DEFAULT_TIMEOUT);
    }

    public static PeerScripts at(Path scripts, Path peers, Duration timeout) {
        return new PeerScripts(scripts.toAbsolutePath(), peers.toAbsolutePath(), null, timeout);
    }

    /**
     * The peer scripts of minibert's own checkout ({@code scripts/}, found from where this class was built, never
     * the current folder, whose {@code scripts/peer_*.py} could be anyone's), with {@code peers} or the checkout's
     * {@code scripts/peer}.
     */
    public static PeerScripts ofProject(Path peers, Duration timeout) {
        Path scripts = ProjectFolder.file(PeerScripts.class, "scripts");
        return at(scripts, peers != null ? peers : scripts.resolve("peer"), timeout);
    }

    /** A setup without a peer, and the reason. */
    public static PeerScripts none(String why) {
        return new PeerScripts(null, null, why, DEFAULT_TIMEOUT);
    }

    /** Why the peer cannot run {@code script}: declined, the script, the peers folder or python missing; else null. */
    public String missing(String script) {
        return declined != null ? declined
                : !Files.isRegularFile(scripts.resolve(script))
                ? scripts + ": no " + script + " (minibert's checkout is incomplete)"
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

    /**
     * A labeled JSONL sample ({@code text}, {@code label}) as peer_finetune.py reads it, {"input_ids": [...],
     * "label": ...}, each text cut to {@code maxLength} tokens as finetuning cuts it.
     */
    static void tokenizeLabeled(Path jsonl, Path vocab, int maxLength, Path file) throws IOException {
        BertTokenizer tokenizer = new BertTokenizer(Vocab.read(vocab), true);
        EncodeOptions fit = new EncodeOptions(maxLength, EncodeOptions.Truncation.LONGEST_FIRST,
                EncodeOptions.Padding.NONE);
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode row = JSON.readTree(line);
                Map<String, Object> peerRow = new LinkedHashMap<>();
                peerRow.put("input_ids", tokenizer.encode(row.get("text").asText(), null, fit).inputIds());
                peerRow.put("label", row.get("label").asText());
                out.append(JSON.writeValueAsString(peerRow)).append('\n');
            }
        }
        AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** How a peer statement starts when the peer did not run; the reason follows. */
    static final String NOT_RUN = "not run: ";

    /** The reason when python has no torch. */
    static final String NO_TORCH = PYTHON + " cannot import torch (apt-get install python3-torch)";

    /** The peer could not run {@code script}; the message says why ({@link #missing}, or {@link #NO_TORCH}). */
    public static final class NotRun extends Exception {
        NotRun(String reason) {
            super(reason);
        }
    }

    /** Throws {@link NotRun} with {@link #missing}'s reason, before any work for the peer is done. */
    void requireRunnable(String script) throws NotRun {
        String why = missing(script);
        if (why != null) {
            throw new NotRun(why);
        }
    }

    /**
     * Runs {@code script} once per entry of {@code runs} (a run's name and its own arguments) on the corpus, tokenized
     * once, with the budget's model and batch, this vocabulary's size and the setup's seed; each run's output goes to
     * {@code peer-NAME} plus {@code suffix} in {@code s.dir()}.
     */
    Map<String, Path> runAll(ExperimentSetup s, String script, Map<String, List<String>> runs, String suffix)
            throws IOException, NotRun {
        requireRunnable(script);
        Path tokens = s.dir().resolve("peer-corpus.tok.jsonl");
        tokenize(s.corpus(), s.vocab(), tokens);
        List<String> common = arguments(tokens, s.budget(), Vocab.read(s.vocab()).size(), s.seed());
        try {
            Map<String, Path> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> run : runs.entrySet()) {
                Path out = s.dir().resolve("peer-" + run.getKey() + suffix);
                List<String> args = new ArrayList<>(common);
                args.addAll(run.getValue());
                run(script, args, out);
                outputs.put(run.getKey(), out);
            }
            return outputs;
        } finally {
            Files.deleteIfExists(tokens); // the corpus again, re-made from it on every run
        }
    }

    /** A peer script's arguments: the tokenized corpus, the budget's model and batch, a vocabulary size and seed. */
    static List<String> arguments(Path tokens, Budget b, int vocabSize, long seed) {
        return List.of(tokens.toString(), "--vocab-size", String.valueOf(vocabSize), "--layers",
                String.valueOf(b.layers()), "--hidden", String.valueOf(b.hidden()), "--heads", String.valueOf(b.heads()),
                "--intermediate", String.valueOf(b.intermediate()), "--batch", String.valueOf(b.batchSize()), "--seq",
                String.valueOf(b.seqLen()), "--seed", String.valueOf(seed));
    }

    /**
     * {@link #PRETRAIN} for each of {@code runs} with {@code steps} steps at the budget's peak learning rate: each
     * run's per-step log (minibert's metrics.jsonl form) by name.
     */
    Map<String, MetricsLog> pretrain(ExperimentSetup s, long steps, Map<String, List<String>> runs)
            throws IOException, NotRun {
        Map<String, List<String>> withSteps = new LinkedHashMap<>();
        runs.forEach((name, args) -> {
            List<String> all = new ArrayList<>(List.of("--steps", String.valueOf(steps), "--lr",
                    String.valueOf(s.budget().learningRate())));
            all.addAll(args);
            withSteps.put(name, all);
        });
        Map<String, Path> outputs = runAll(s, PRETRAIN, withSteps, ".jsonl");
        Map<String, MetricsLog> logs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : outputs.entrySet()) {
            logs.put(e.getKey(), MetricsLog.read(e.getValue()));
        }
        return logs;
    }

    /**
     * Runs {@code script} with {@code args} after the peers folder; its stdout goes to {@code out}, its stderr to
     * {@code out} with ".log". {@link NotRun} when the peer cannot run it or python has no torch; a script still
     * running after {@link #timeout} is killed (with its children) and is an error naming it; any other failure
     * names the log. Its matrix products run on {@link #blas()}.
     */
    void run(String script, List<String> args, Path out) throws IOException, NotRun {
        requireRunnable(script);
        run(script, args, out, blas());
    }

    /** The BLAS the peer's products run on ({@link PeerBlas}); probed once per process. */
    PeerBlas blas() throws IOException {
        return PeerBlas.of(PYTHON);
    }

    /** {@link #run(String, List, Path)} on the given BLAS. */
    void run(String script, List<String> args, Path out, PeerBlas blas) throws IOException, NotRun {
        requireRunnable(script);
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), scripts.resolve(script).toString(),
                peers.toString()));
        command.addAll(args);
        command.addAll(List.of("--threads", THREADS));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile());
        builder.environment().putAll(blas.environment());
        Process p = builder.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                throw new IOException(scripts.resolve(script) + " still ran after " + timeout.toSeconds()
                        + " s (--peer-timeout); killed it; see " + log);
            }
            int rc = p.exitValue();
            if (rc != 0 && Files.readString(log, StandardCharsets.UTF_8).contains("No module named 'torch'")) {
                Files.delete(out); // empty; the log says why
                throw new NotRun(NO_TORCH);
            }
            if (rc != 0) {
                throw new IOException(script + " exited with " + rc + "; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(script + " interrupted", e);
        }
    }
}
