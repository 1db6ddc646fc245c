package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --threads}: one declaration in every command that has it, every core the JVM may use unless told. */
class ThreadsOptionTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void everyCommandsThreadsIsThreadsOptionAndDefaultsToTheCores() {
        List<String> commands = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        each(Minibert.commandLine(), spec -> {
            if (spec.findOption("--threads") == null) {
                return;
            }
            commands.add(spec.qualifiedName());
            ThreadsOption threads = find(spec);
            if (threads == null) {
                wrong.add(spec.qualifiedName() + ": --threads not from ThreadsOption");
            } else if (threads.count() != CORES) {
                wrong.add(spec.qualifiedName() + ": --threads unset gives " + threads.count() + ", not " + CORES);
            }
        });
        assertThat(commands).contains("minibert pretrain", "minibert finetune", "minibert bench pretrain");
        assertThat(wrong).isEmpty();
    }

    @Test
    void parsedWithoutTheFlagItIsTheCoresAndWithItTheValue() {
        String[] args = {"pretrain", "--corpus", "c.txt", "--out", "run"};
        assertThat(parsed(args).threads.count()).isEqualTo(CORES);
        String[] three = {"pretrain", "--corpus", "c.txt", "--out", "run", "--threads", "3"};
        assertThat(parsed(three).threads.count()).isEqualTo(3);
    }

    private static PretrainCommand parsed(String... args) {
        CommandLine.ParseResult result = Minibert.commandLine(args).parseArgs(args);
        return (PretrainCommand) result.subcommand().commandSpec().userObject();
    }

    /** The command's ThreadsOption, directly or inside one of its mixins (bench's shape). */
    private static ThreadsOption find(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof ThreadsOption t) {
                return t;
            }
            ThreadsOption inner = find(mixin);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    private static void each(CommandLine command, java.util.function.Consumer<CommandSpec> check) {
        check.accept(command.getCommandSpec());
        command.getSubcommands().values().forEach(sub -> each(sub, check));
    }
}
