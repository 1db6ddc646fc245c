package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.data.DataFetch;
import dev.minibert.data.ExternalTools;
import dev.minibert.data.Requirements;
import dev.minibert.eval.QuickstartSection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole tour at the tiny budget on the real fetched data (CI fetches it first). */
class QuickstartCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theFetchAsksOnlyForWhatTheTourReadsAndNeedsNoNpm(@TempDir Path dir) throws IOException {
        Set<DataFetch.Part> parts = DataCommand.parts(List.of(QuickstartCommand.FETCH.split(",")));
        assertThat(parts).containsExactlyInAnyOrder(DataFetch.Part.VOCAB, DataFetch.Part.TOPIC);
        assertThat(Requirements.debianPackages(EnumSet.copyOf(parts), false)).containsExactly("apt", "dpkg", "tar", "maven");
        // on a machine without any of the tools, the one message names what the tour needs: npm is not among them
        ExternalTools bare = new ExternalTools(List.of(Files.createDirectories(dir.resolve("bin"))), false,
                dir.resolve("no-apt-lists"), Duration.ofSeconds(20));
        DataFetch fetch = new DataFetch(new DataFetch.Options(dir.resolve("cache"), null, bare, 1, 20,
                DataFetch.projectLock(), false, new PrintStream(OutputStream.nullOutputStream())));
        assertThatThrownBy(() -> fetch.run(parts)).hasMessage("data fetch cannot start: missing apt-get, dpkg-deb, tar, "
                + "mvn: install them as root with 'apt-get install -y apt dpkg tar maven' (without apt-get or npm, fetch "
                + "the files elsewhere and pass --from DIR; 'minibert data fetch --list' names them); "
                + "apt-get has no package lists: run 'apt-get update' as root");
        assertThat(dir.resolve("cache")).doesNotExist();
    }

    @Test
    void tinyTourScoresThreeClassifiersAndWritesTheReport(@TempDir Path dir) throws IOException {
        Path cache = DataFetch.defaultCache();
        assumeTrue(Files.isRegularFile(cache.resolve("MANIFEST.json")), "skipped: run minibert data fetch");
        Path out = dir.resolve("qs");

        CliRun r = CliRun.of("", "quickstart", "--budget", "tiny", "--out", out.toString(), "--cache", cache.toString());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode summary = JSON.readTree(out.resolve(QuickstartSection.FILE).toFile());
        assertThat(summary.path("classifiers")).extracting(c -> c.path("name").asText())
                .containsExactly("pretrained", "random init", "majority class");
        Path test = cache.resolve("labeled/libreoffice-topic/test.jsonl");
        assertThat(summary.path("classifiers").path(2).path("accuracy").asDouble())
                .as("the majority baseline, recounted from the files")
                .isEqualTo(shareOfTrainingMajority(Path.of(summary.path("train").asText()), test));
        assertThat(Files.readAllLines(Path.of(summary.path("train").asText()))).hasSize(1000);
        for (JsonNode c : summary.path("classifiers")) {
            assertThat(c.path("accuracy").asDouble()).isBetween(c.path("accuracy_ci95").path(0).asDouble(),
                    c.path("accuracy_ci95").path(1).asDouble());
            assertThat(c.path("examples").asInt()).isEqualTo(Files.readAllLines(test).size());
        }
        assertThat(summary.path("mlm").path("perplexity").asDouble()).isGreaterThan(1).isLessThan(1e6);
        assertThat(summary.path("steps")).extracting(s -> s.path("name").asText()).contains("pretrain",
                "finetune the pretrained model", "finetune the random init");
        assertThat(r.stdout()).contains(QuickstartSection.verdict(summary)).contains("quickstart finished in");
        for (JsonNode s : summary.path("steps")) { // the recipe each printed command carries
            String command = s.path("command").asText();
            if (s.path("name").asText().equals("pretrain")) {
                assertThat(command).contains("--warmup-steps 2", "--learning-rate 1e-3");
            } else if (s.path("name").asText().startsWith("finetune")) {
                assertThat(command).contains("--group-by-length", "--epochs 1");
            }
        }

        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("Quickstart (budget tiny)", "majority class", "random init", "data:image/png;base64,");
        for (String run : List.of("pretrain", "finetune-pretrained", "finetune-random")) {
            assertThat(html).contains(out.resolve(run).toString());
        }
    }

    /** Share of test rows whose label is the training set's most frequent one. */
    private static double shareOfTrainingMajority(Path train, Path test) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : Files.readAllLines(train)) {
            counts.merge(JSON.readTree(line).path("label").asText(), 1, Integer::sum);
        }
        String majority = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<String> rows = Files.readAllLines(test);
        long hits = 0;
        for (String line : rows) {
            if (JSON.readTree(line).path("label").asText().equals(majority)) {
                hits++;
            }
        }
        return (double) hits / rows.size();
    }

    @Test
    void refusesToReplaceAFolderThatIsNotAQuickstartRun(@TempDir Path dir) throws IOException {
        Path precious = Files.writeString(dir.resolve("notes.txt"), "keep me");

        CliRun r = CliRun.of("", "quickstart", "--budget", "tiny", "--out", dir.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains(dir + " is not empty and is not a minibert output folder");
        assertThat(Files.readString(precious)).isEqualTo("keep me");
    }
}
