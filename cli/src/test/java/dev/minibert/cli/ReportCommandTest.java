package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code minibert report} over a run that {@code minibert pretrain} wrote, and over its model directory. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void reportOfAPretrainingRunAndItsModel() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, TinySavedModels.config().toJsonString(), StandardCharsets.UTF_8);
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        Path corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
        Path run = dir.resolve("run");
        CliRun pretrain = CliRun.of("", "pretrain", "--corpus", corpus.toString(), "--vocab", vocab.toString(),
                "--config", config.toString(), "--out", run.toString(), "--max-steps", "3", "--batch-size", "2",
                "--max-seq-len", "16", "--log-every", "1", "--eval-fraction", "0");
        assertThat(pretrain.exitCode()).as(pretrain.stderr()).isZero();

        Path html = dir.resolve("out dir").resolve("report.html");
        Files.createDirectories(html.getParent());
        CliRun report = CliRun.of("", "report", run.toString(), run.resolve("model").toString(), "--out", html.toString());
        assertThat(report.exitCode()).as(report.stderr()).isZero();
        assertThat(report.stdout().strip()).isEqualTo(html.toAbsolutePath().toString());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
        assertThat(doc.getElementsByTagName("h2").item(0).getTextContent()).isEqualTo("Pretraining run " + run);
        assertThat(doc.getElementsByTagName("h2").item(1).getTextContent()).isEqualTo("Model " + run.resolve("model"));
        // loss, masked accuracy, grad norms over steps, grad norm bars, gamma over steps
        assertThat(doc.getElementsByTagName("img").getLength()).isEqualTo(5);
        // attenuation and gamma of the run, gamma of the model
        assertThat(doc.getElementsByTagName("table").getLength()).isEqualTo(3);
        // the exact command, the path with a space quoted for the shell
        assertThat(doc.getElementsByTagName("code").item(0).getTextContent()).isEqualTo("minibert report " + run + " "
                + run.resolve("model") + " --out '" + html + "'");
    }

    @Test
    void aDirectoryThatIsNoRunFailsWithoutWritingAnything() throws Exception {
        Path html = dir.resolve("report.html");
        CliRun report = CliRun.of("", "report", dir.toString(), "--out", html.toString());
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.stderr()).contains(dir + ": not something to report on");
        assertThat(html).doesNotExist();
    }

    @Test
    void atLeastOneDirectoryIsRequired() {
        assertThat(CliRun.of("", "report", "--out", dir.resolve("r.html").toString()).exitCode()).isEqualTo(2);
    }
}
