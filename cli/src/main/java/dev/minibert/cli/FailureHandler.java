package dev.minibert.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A failing command prints one clear line (the message names the file and problem) and exits 1;
 * the stack trace only with MINIBERT_DEBUG=1 (any value but empty and "0"), because users need the cause, not our
 * internals.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int RUNTIME_FAILURE = 1;
    private final boolean debug;

    FailureHandler() {
        this(System.getenv("MINIBERT_DEBUG"));
    }

    /** With {@code debugValue} as the value of MINIBERT_DEBUG (null: not set). */
    FailureHandler(String debugValue) {
        debug = debugValue != null && !debugValue.isEmpty() && !debugValue.equals("0");
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        cl.getErr().println("minibert " + cl.getCommandName() + ": error: " + message);
        if (debug) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return RUNTIME_FAILURE;
    }
}
