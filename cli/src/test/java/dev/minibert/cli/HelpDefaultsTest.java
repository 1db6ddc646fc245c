package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every option of every command says what it does and, unless required or a flag, what it defaults to, in --help. */
class HelpDefaultsTest {
    @Test
    void everyOptionHasADescriptionAndAShownDefault() {
        List<String> missing = new ArrayList<>();
        check(Minibert.commandLine(), missing);
        assertThat(missing).isEmpty();
    }

    private static void check(CommandLine command, List<String> missing) {
        command.setUsageHelpWidth(200);
        String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
        String name = command.getCommandSpec().qualifiedName();
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp() || option.hidden()) {
                continue;
            }
            String description = String.join(" ", option.description()).trim();
            if (description.isEmpty()) {
                missing.add(name + " " + option.longestName() + ": no description");
                continue;
            }
            if (option.required() || option.arity().max() == 0 && !option.negatable()) {
                continue; // a flag's default is its absence
            }
            String entry = entry(help, option);
            if (!entry.toLowerCase().contains("default")) {
                missing.add(name + " " + option.longestName() + ": no default shown in: " + entry);
            }
        }
        command.getSubcommands().values().forEach(sub -> check(sub, missing));
    }

    /** The option's lines in the options list: its first line and the description lines under it. */
    private static String entry(String help, OptionSpec option) {
        StringBuilder entry = new StringBuilder();
        boolean inside = false;
        for (String line : help.lines().toList()) {
            String trimmed = line.trim();
            int indent = line.length() - line.stripLeading().length();
            // options start within the first columns; a wrapped description line is indented past them
            if (trimmed.startsWith("-") && indent <= 6 || trimmed.isEmpty() || indent == 0) {
                inside = describes(line, option);
            }
            if (inside) {
                entry.append(trimmed).append(' ');
            }
        }
        return entry.toString().trim();
    }

    /** Whether a help line starts this option's entry in the options list (not the synopsis). */
    private static boolean describes(String line, OptionSpec option) {
        String entry = line.trim();
        for (String name : option.names()) {
            String negatable = name.replaceFirst("^--", "--[no-]");
            for (String shown : new String[] {name, negatable}) {
                if (entry.equals(shown) || entry.startsWith(shown + " ") || entry.startsWith(shown + "=")
                        || entry.startsWith(shown + "[")
                        || entry.startsWith(shown + ",") || entry.contains(", " + shown + " ")
                        || entry.contains(", " + shown + "=") || entry.endsWith(", " + shown)) {
                    return true;
                }
            }
        }
        return false;
    }
}
