package dev.minibert.examples;

import dev.minibert.cli.Minibert;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What an in-process program wrote to stdout and stderr, with stdin fed. */
record Captured(int exitCode, String stdout, String stderr) {
    interface Program {
        void run() throws Exception;
    }

    static Captured run(String stdin, Program program) throws Exception {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            program.run();
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Captured(0, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code minibert ARGS} through the CLI's own entry point (its exit code, not System.exit). */
    static Captured minibert(String stdin, String... args) throws Exception {
        int[] code = new int[1];
        Captured c = run(stdin, () -> code[0] = Minibert.commandLine(args).execute(args));
        return new Captured(code[0], c.stdout(), c.stderr());
    }
}
