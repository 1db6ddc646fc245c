package dev.minibert.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code minibert} command: one entry point, one subcommand per job. */
@Command(name = "minibert",
        mixinStandardHelpOptions = true,
        version = "minibert 0.1.0",
        description = "A mini-BERT on the JVM: tokenize, pretrain, finetune, inspect.",
        subcommands = {
                VocabCommand.class,
                TokenizeCommand.class,
                InitCommand.class,
                EmbedCommand.class,
                PretrainCommand.class,
                FinetuneCommand.class,
                PredictCommand.class,
                ImportCommand.class,
                BenchCommand.class,
                QuickstartCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Minibert implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Minibert());
        cl.setExecutionExceptionHandler(new FailureHandler());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
