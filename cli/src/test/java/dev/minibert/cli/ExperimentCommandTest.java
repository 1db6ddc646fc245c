package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.io.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minibert experiment}: usage errors, missing data, and one tiny run whose verdict line matches its record. */
class ExperimentCommandTest {
    @TempDir
    Path dir;

    @Test
    void unknownExperimentOrBudgetIsAUsageError() {
        CliRun name = CliRun.of("", "experiment", "gradients");
        assertThat(name.exitCode()).isEqualTo(2);
        assertThat(name.stderr()).contains("unknown experiment 'gradients'", "attenuation", "finetune-drift");
        CliRun budget = CliRun.of("", "experiment", "warmup", "--budget", "huge");
        assertThat(budget.exitCode()).isEqualTo(2);
        assertThat(budget.stderr()).contains("unknown budget 'huge'");
        CliRun other = CliRun.of("", "experiment", "warmup", "--size", "past-plateau");
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.stderr()).contains("size 'past-plateau' is for finetune-drift only, not warmup");
    }

    @Test
    void aMissingCorpusNamesTheFileAndWritesNothing() {
        Path missing = dir.resolve("nope.txt");
        CliRun run = CliRun.of("", "experiment", "init-std", "--corpus", missing.toString(), "--vocab",
                missing.toString(), "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(missing + ": not found");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private Path tinyCorpus() throws IOException {
        return Files.writeString(dir.resolve("corpus.txt"),
                "床前明月光。\n疑是地上霜。\n\n春眠不觉晓。\n处处闻啼鸟。\n\n白日依山尽。\n黄河入海流。\n\n明月出天山。\n", StandardCharsets.UTF_8);
    }

    private Path tinyVocab() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        List<String> tokens = new java.util.ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        "床前明月光疑是地上霜春眠不觉晓处闻啼鸟白日依山尽黄河入海流出天。".codePoints().distinct()
                .forEach(c -> tokens.add(Character.toString(c)));
        Files.write(vocab, tokens, StandardCharsets.UTF_8);
        return vocab;
    }

    /**
     * Run from a folder holding its own {@code scripts/peer_init_std.py} (and {@code scripts/peer/}), the experiment
     * runs minibert's peer script, never that one.
     */
    @Test
    void thePeerScriptsAreMinibertsOwnNotTheCurrentFoldersOnes() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path scripts = Files.createDirectories(elsewhere.resolve("scripts/peer"));
        Files.writeString(scripts.resolve("torch_bert.py"), "");
        Path ran = elsewhere.resolve("ran.txt");
        Files.writeString(scripts.resolveSibling("peer_init_std.py"), "open('" + ran + "', 'w').write('ran')\n");
        Path out = dir.resolve("init");

        ChildJvm child = ChildJvm.start(elsewhere, List.of(), Minibert.class.getName(), null, List.of("experiment",
                "init-std", "--budget", "tiny", "--seeds", "1", "--corpus", tinyCorpus().toString(), "--vocab",
                tinyVocab().toString(), "--out", out.toString(), "--threads", "1"));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(ran).as("the current folder's script did not run").doesNotExist();
        assertThat(new ObjectMapper().readTree(out.resolve("experiment.json").toFile()).get("peer").asText())
                .doesNotContain(elsewhere.toString());
    }

    @Test
    void tinyInitStdRunPrintsTheVerdictItRecorded() throws IOException {
        Path corpus = tinyCorpus();
        Path vocab = tinyVocab();
        Path out = dir.resolve("init");
        Instant started = Instant.now();
        CliRun run = CliRun.of("", "experiment", "init-std", "--budget", "tiny", "--corpus", corpus.toString(),
                "--vocab", vocab.toString(), "--out", out.toString(), "--seed", "3", "--threads", "1");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        JsonNode record = new ObjectMapper().readTree(out.resolve("experiment.json").toFile());
        assertThat(run.stdout().trim()).isEqualTo("init-std: " + record.get("verdict").asText() + ": "
                + record.get("summary").asText());
        assertThat(record.get("command").asText()).isEqualTo("minibert experiment init-std --budget tiny --corpus "
                + corpus + " --vocab " + vocab + " --out " + out + " --seed 3 --threads 1");
        JsonNode provenance = record.get("provenance");
        assertThat(provenance.get("seeds").toString()).as("three seeds by default, from --seed on").isEqualTo("[3,4,5]");
        assertThat(provenance.get("command").asText()).isEqualTo(record.get("command").asText());
        assertThat(provenance.get("commit").asText()).isEqualTo(gitHead());
        assertThat(provenance.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(Files.readString(Path.of("/proc/cpuinfo"))).contains(provenance.get("cpu").asText());
        assertThat(provenance.get("java").asText()).contains(System.getProperty("java.version"));
        assertThat(provenance.get("wall_seconds").asDouble()).isPositive();
        // the run's end, to the second: between the start of this test's run and now
        assertThat(Instant.parse(provenance.get("date").asText())).isBetween(started.truncatedTo(ChronoUnit.SECONDS),
                Instant.now());
        assertThat(out.resolve("report.html")).exists();

        // minibert report takes the experiment folder like any run
        Path html = dir.resolve("all.html");
        CliRun report = CliRun.of("", "report", out.toString(), "--out", html.toString());
        assertThat(report.exitCode()).as(report.stderr()).isZero();
        assertThat(Files.readString(html, StandardCharsets.UTF_8)).contains("Experiment init-std",
                record.get("verdict").asText(), gitHead());

        // the findings table is rebuilt from the experiment.json files, each row linking to its report
        Path findings = dir.resolve("docs/findings.md");
        Files.createDirectories(findings.getParent());
        CliRun table = CliRun.of("", "experiment", "--findings", findings.toString(), "--runs", dir.toString());
        assertThat(table.exitCode()).as(table.stderr()).isZero();
        String md = Files.readString(findings, StandardCharsets.UTF_8);
        String peer = record.get("peer").asText(); // the checkout's peer ran where /usr/bin/python3 has torch
        assertThat(md).contains("| init-std | " + record.get("verdict").asText() + " | ", "| 3 | tiny | ",
                " s | " + provenance.get("date").asText() + " | " + gitHead().substring(0, 12) + " | "
                        + provenance.get("cpu").asText() + ", " + provenance.get("cores").asInt() + " cores | `"
                        + record.get("command").asText() + "` | " + (peer.startsWith("not run: ") ? peer : "beside it in the report")
                        + " | [report](../init/report.html) |");
        assertThat(md.lines().filter(l -> l.startsWith("| init-std"))).hasSize(1);
        Files.delete(out.resolve("report.html")); // a folder kept without its report links its experiment.json
        CliRun again = CliRun.of("", "experiment", "--findings", findings.toString(), "--runs", dir.toString());
        assertThat(again.exitCode()).as("it replaces its own table").isZero();
        assertThat(Files.readString(findings, StandardCharsets.UTF_8))
                .contains("| [experiment.json (no report kept)](../init/experiment.json) |");
        Path mine = Files.writeString(dir.resolve("mine.md"), "my notes\n");
        CliRun refused = CliRun.of("", "experiment", "--findings", mine.toString(), "--runs", dir.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains(mine + " exists and was not written by minibert").doesNotContain("\tat ");
        assertThat(mine).hasContent("my notes");
    }

    @Test
    void seedsMustBePositiveAndFindingsTakesNoName() {
        CliRun seeds = CliRun.of("", "experiment", "init-std", "--seeds", "0");
        assertThat(seeds.exitCode()).isEqualTo(2);
        assertThat(seeds.stderr()).contains("--seeds must be at least 1, got 0");
        CliRun both = CliRun.of("", "experiment", "init-std", "--findings", dir.resolve("f.md").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("--findings takes no NAME");
        assertThat(dir.resolve("f.md")).doesNotExist();
    }

    private static String gitHead() throws IOException {
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").start();
        return new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
