package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A failure is one line; the stack trace follows only with MINIBERT_DEBUG=1 (set, non-empty and not "0"). */
class FailureHandlerTest {
    private static String failWith(String debugValue) {
        CommandLine cl = Minibert.commandLine().getSubcommands().get("tokenize");
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = new FailureHandler(debugValue).handleExecutionException(
                new IllegalArgumentException("corpus.txt:3: bad line"), cl, null);
        assertThat(code).isEqualTo(1);
        return err.toString();
    }

    @Test
    void theStackTraceOnlyWithMinibertDebugOne() {
        for (String off : Arrays.asList(null, "", "0")) {
            assertThat(failWith(off)).as("MINIBERT_DEBUG=%s", off)
                    .isEqualTo("minibert tokenize: error: corpus.txt:3: bad line" + System.lineSeparator());
        }
        for (String on : new String[] {"1", "yes"}) {
            assertThat(failWith(on)).as("MINIBERT_DEBUG=%s", on)
                    .startsWith("minibert tokenize: error: corpus.txt:3: bad line" + System.lineSeparator()
                            + "java.lang.IllegalArgumentException: corpus.txt:3: bad line")
                    .contains("\tat dev.minibert.cli.FailureHandlerTest.failWith");
        }
    }
}
