package dev.minibert.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A failing command prints one clear line (the message names the file and problem) and exits 1;
 * the stack trace only with MINIBERT_DEBUG set, because users need the cause, not our internals.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int RUNTIME_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        cl.getErr().println("minibert " + cl.getCommandName() + ": error: " + message);
        if (System.getenv("MINIBERT_DEBUG") != null) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return RUNTIME_FAILURE;
    }
}
