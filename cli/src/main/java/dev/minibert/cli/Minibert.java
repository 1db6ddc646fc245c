package dev.minibert.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code minibert} command: one entry point, one subcommand per job. */
@Command(name = "minibert",
        mixinStandardHelpOptions = true,
        versionProvider = Minibert.Version.class,
        description = "A mini-BERT on the JVM: tokenize, pretrain, finetune, inspect.",
        subcommands = {
                VocabCommand.class,
                TokenizeCommand.class,
                InitCommand.class,
                EmbedCommand.class,
                ShardCommand.class,
                PretrainCommand.class,
                FinetuneCommand.class,
                PredictCommand.class,
                ServeCommand.class,
                ImportCommand.class,
                ExportCommand.class,
                DataCommand.class,
                BenchCommand.class,
                ExperimentCommand.class,
                QuickstartCommand.class,
                EvalCommand.class,
                InspectCommand.class,
                ReportCommand.class,
                CliReferenceCommand.class,
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
        showDefaults(cl);
        return cl;
    }

    /** Every option's default in every command's --help, so that no command can forget to show them. */
    private static void showDefaults(CommandLine command) {
        command.getCommandSpec().usageMessage().showDefaultValues(true);
        command.getSubcommands().values().forEach(Minibert::showDefaults);
    }

    /**
     * The command line for these arguments: a {@code --train-config FILE} among them supplies option defaults, and
     * under it a {@code --recipe NAME}.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = commandLine();
        ConfigFileDefaults defaults;
        try {
            defaults = ConfigFileDefaults.from(args);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage(), e);
        }
        if (defaults != null) {
            cl.setDefaultValueProvider(defaults);
            for (CommandLine sub : cl.getSubcommands().values()) {
                if (sub.getCommandSpec().findOption(ConfigFileDefaults.OPTION) != null) {
                    java.util.List<String> unknown = defaults.unknownKeys(sub.getCommandSpec());
                    if (!unknown.isEmpty() && java.util.Arrays.asList(args).contains(sub.getCommandName())) {
                        throw new CommandLine.ParameterException(sub, "unknown option(s) in the training config: " + unknown);
                    }
                }
            }
        }
        PretrainRecipe recipe = PretrainRecipe.from(args);
        if (recipe != null) {
            cl.setDefaultValueProvider(recipe.under(defaults));
        }
        return cl;
    }

    /** {@code --version}: "minibert VERSION", the version the build copied from the pom into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Minibert.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IOException("version.properties is missing beside " + Minibert.class.getName());
                }
                p.load(in);
            }
            return new String[] {"minibert " + p.getProperty("version")};
        }
    }

    public static void main(String[] args) {
        CommandLine cl;
        try {
            cl = commandLine(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println("minibert: error: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(cl.execute(args));
    }
}
