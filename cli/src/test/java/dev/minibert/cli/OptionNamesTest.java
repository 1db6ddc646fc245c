package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** One name per concept across commands, and one concept per name: every command's visible options, walked. */
class OptionNamesTest {
    /** A concept's one name, and spellings another command could give it instead. */
    private static final Map<String, List<String>> SYNONYMS = Map.of(
            "--max-seq-len", List.of("--seq", "--seq-len", "--max-length", "--max-seq-length", "--sequence-length",
                    "--max-len"),
            "--batch-size", List.of("--batch", "--bs", "--micro-batch-size"),
            "--learning-rate", List.of("--lr"),
            "--threads", List.of("--num-threads", "--jobs", "-j"),
            "--gradient-accumulation", List.of("--accumulation", "--gradient-accumulation-steps"));

    /** A name's one meaning, as a check on the command and the option that use it. */
    private record Meaning(String what, BiPredicate<CommandSpec, OptionSpec> holds) {
    }

    private static final Meaning WARMUP = new Meaning("the learning rate's warmup (a command with --learning-rate)",
            (command, option) -> command.findOption("--learning-rate") != null);

    private static final Map<String, Meaning> MEANS = Map.of(
            "--warmup-steps", WARMUP, // not a benchmark's untimed steps
            "--warmup-ratio", WARMUP,
            "--vocab", new Meaning("a vocab.txt file (its size is --vocab-size)",
                    (command, option) -> option.type() == Path.class));

    @Test
    void everyCommandCallsAConceptByItsOneName() {
        List<String> wrong = new ArrayList<>();
        eachCommand(Minibert.commandLine(), spec -> {
            for (OptionSpec option : visible(spec)) {
                for (String name : option.names()) {
                    SYNONYMS.forEach((canonical, synonyms) -> {
                        if (synonyms.contains(name)) {
                            wrong.add(spec.qualifiedName() + " " + name + ": call it " + canonical);
                        }
                    });
                }
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void aNameMeansTheSameInEveryCommand() {
        List<String> wrong = new ArrayList<>();
        eachCommand(Minibert.commandLine(), spec -> {
            for (OptionSpec option : visible(spec)) {
                Meaning meaning = MEANS.get(option.longestName());
                if (meaning != null && !meaning.holds().test(spec, option)) {
                    wrong.add(spec.qualifiedName() + " " + option.longestName() + ": the name means " + meaning.what());
                }
            }
        });
        assertThat(wrong).isEmpty();
    }

    private static List<OptionSpec> visible(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    private static void eachCommand(CommandLine command, Consumer<CommandSpec> check) {
        check.accept(command.getCommandSpec());
        command.getSubcommands().values().forEach(sub -> eachCommand(sub, check));
    }
}
