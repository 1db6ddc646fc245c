package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MinibertTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Minibert.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpListsEverySubcommandAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("tokenize", "vocab", "quickstart");
    }

    @Test
    void subcommandHelpExitsZero() {
        assertThat(run("tokenize", "--help")).isZero();
        assertThat(out.toString()).contains("--vocab", "--max-seq-len", "--[no-]lowercase").doesNotContain("--max-length");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("no-such-command")).isEqualTo(2);
        assertThat(run("tokenize")).isEqualTo(2);
        assertThat(err.toString()).contains("--vocab");
        assertThat(run()).isEqualTo(2);
    }

    @Test
    void runtimeFailureExitsOneWithTheFileInTheMessage() {
        assertThat(run("tokenize", "--vocab", "/nonexistent/vocab.txt")).isEqualTo(1);
        assertThat(err.toString()).contains("/nonexistent/vocab.txt").doesNotContain("\tat ");
    }

    @Test
    void docsCliCarriesTheCurrentCliReference() throws IOException {
        Path reference = Path.of("..", "docs", "cli.md");
        String expected = CliReferenceCommand.markdown(Minibert.commandLine());
        assertThat(expected).contains("#### `minibert pretrain`", "#### `minibert data fetch`", "--max-steps");
        assertThat(Files.readString(reference))
                .as("docs/cli.md is stale: run ./minibert cli-reference --update docs/cli.md").contains(expected);
    }
}
